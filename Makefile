# Thin front door to CMake: `make demo` and `make test` install what is missing, build and run.
# Each command installs only the Debian packages it needs: the demo builds the gpusize binary alone;
# the test suite adds Catch2, the schema checker's Python modules and the browser of the HTML test.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
BUILD_DEPS = cmake g++ ninja-build libcli11-dev nlohmann-json3-dev libfmt-dev libyaml-cpp-dev
TEST_DEPS = $(BUILD_DEPS) catch2 python3-jsonschema python3-yaml chromium
DEMO_SPEC = examples/chat-llama-3.1-70b.yaml

.PHONY: deps build demo test bench accuracy fuzz fuzz-merge clean
deps:
	@./scripts/install-deps.sh $(TEST_DEPS)

# The whole tree: library, CLI, unit and golden tests, benchmarks. CMAKE_FLAGS comes last so a
# caller's -DGPUSIZE_BUILD_BENCH=OFF wins.
build: deps
	cmake -S . -B $(BUILD) -G Ninja -DGPUSIZE_BUILD_TESTS=ON -DGPUSIZE_BUILD_BENCH=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

# Only what the demo runs: the gpusize executable (no Catch2, no tests, no benchmarks).
demo:
	@./scripts/install-deps.sh $(BUILD_DEPS)
	cmake -S . -B $(BUILD) -G Ninja -DGPUSIZE_BUILD_TESTS=OFF -DGPUSIZE_BUILD_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS) --target gpusize
	$(BUILD)/src/gpusize plan $(DEMO_SPEC)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/bench/gpusize-bench-plan
	$(BUILD)/bench/gpusize-bench-plan --process $(BUILD)/src/gpusize

accuracy: build
	$(BUILD)/bench/gpusize-bench-accuracy ../shared/validation/public_cases.jsonl $(wildcard validation/*.jsonl) bench/accuracy-report.md

# Each libFuzzer target for FUZZ_SECONDS from fuzz/corpus/ and the seeds (clang; fuzz/README.md).
FUZZ_SECONDS ?= 60
FUZZ_BUILD ?= build-fuzz
fuzz:
	@./scripts/install-deps.sh $(BUILD_DEPS) clang libclang-rt-14-dev
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DGPUSIZE_FUZZ=ON -DGPUSIZE_BUILD_TESTS=OFF -DGPUSIZE_BUILD_BENCH=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_spec fuzz_catalog fuzz_hf_config fuzz_set
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh $(FUZZ_BUILD)

# Shrinks fuzz/corpus/ to the inputs that add coverage beyond the seeds, before committing it.
fuzz-merge:
	fuzz/run.sh --merge $(FUZZ_BUILD)

clean:
	rm -rf $(BUILD)

# A Debian package of gpusize (CPack): $(BUILD)/gpusize_<version>_<arch>.deb.
.PHONY: package
package: build
	cd $(BUILD) && cpack -G DEB
