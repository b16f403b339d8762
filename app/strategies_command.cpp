#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/strategies/registry.hpp"

#include <iostream>

namespace bt::app {

int strategies_command(int argc, char** argv) {
  command_line args(argc, argv, 2, {}, {"pretty"});
  json_writer w;
  w.begin_object().key("strategies").begin_array();
  for (const auto* s : strategy_schemas())
    write_schema(w, *s);
  w.end_array().end_object();
  std::cout << (args.flag("pretty") ? pretty_json(w.str()) : w.str() + "\n");
  return exit_ok;
}

} // namespace bt::app
