# Thin front door to CMake: `make demo` and `make test` install what is missing, build and run.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
DEPS = cmake g++ ninja-build libcli11-dev nlohmann-json3-dev libfmt-dev libyaml-cpp-dev catch2

.PHONY: deps build demo test bench accuracy clean
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

clean:
	rm -rf $(BUILD)
