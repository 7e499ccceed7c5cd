// glimpse-sim: see sim/commands.hpp.
#include <iostream>

#include "sim/commands.hpp"

int main(int argc, char** argv) {
  return glimpse::sim::sim_main(argc, argv, {std::cin, std::cout, std::cerr});
}
