// Runs the gpusize command line in-process for tests: arguments in, exit code and streams out.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "cli/app.hpp"

namespace gpusize::test {

struct CliResult {
    int code;
    std::string out, err;
};

inline CliResult run_args(std::vector<std::string> args, const std::string& input = {}) {
    args.insert(args.begin(), "gpusize");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::istringstream in(input);
    std::ostringstream out, err;
    const int code = cli::run(static_cast<int>(argv.size()), argv.data(), in, out, err);
    return {code, out.str(), err.str()};
}

}  // namespace gpusize::test
