// gpusize: GPU workload sizing. Everything but the process boundary lives in cli/app.cpp.
#include <iostream>

#include "cli/app.hpp"

int main(int argc, char** argv) { return gpusize::cli::run(argc, argv, std::cin, std::cout, std::cerr); }
