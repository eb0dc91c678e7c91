# Thin front door to CMake: `make demo` and `make test` install what is missing, build and run.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
DEPS = cmake g++ ninja-build libcli11-dev nlohmann-json3-dev libfmt-dev libyaml-cpp-dev catch2 python3-jsonschema python3-yaml chromium

.PHONY: deps build demo test bench accuracy fuzz clean
deps:
	@./scripts/install-deps.sh $(DEPS)

build: deps
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/gpusize plan examples/chat-llama-3.1-70b.yaml

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/bench/gpusize-bench-plan

accuracy: build
	$(BUILD)/bench/gpusize-bench-accuracy ../shared/validation/public_cases.jsonl bench/accuracy-report.md

# Each libFuzzer target for FUZZ_SECONDS from its seed corpus (clang; fuzz/README.md).
FUZZ_SECONDS ?= 60
FUZZ_BUILD ?= build-fuzz
fuzz:
	@./scripts/install-deps.sh $(DEPS) clang libclang-rt-14-dev
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DGPUSIZE_FUZZ=ON -DGPUSIZE_BUILD_TESTS=OFF -DGPUSIZE_BUILD_BENCH=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_spec fuzz_catalog fuzz_hf_config fuzz_set
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh $(FUZZ_BUILD)

clean:
	rm -rf $(BUILD)

# A Debian package of gpusize (CPack): $(BUILD)/gpusize_<version>_<arch>.deb.
.PHONY: package
package: build
	cd $(BUILD) && cpack -G DEB
