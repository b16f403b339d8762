#include "app/commands.hpp"

#include <climits>
#include <string>

#include <dlfcn.h>
#include <unistd.h>

namespace bt::app {
namespace {

// The module lives beside the binary, wherever the binary was started from.
std::string module_path() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  std::string dir = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string(".");
  const auto slash = dir.rfind('/');
  dir = slash == std::string::npos ? "." : dir.substr(0, slash);
  return dir + "/backtestd-server.so";
}

} // namespace

int server_module_command(int argc, char** argv) {
  const std::string path = module_path();
  // RTLD_LOCAL: the module's symbols (its own copy of the engine among
  // them) stay its own.
  void* module = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!module) {
    const char* why = ::dlerror();
    report_error(argv[1],
                 ("cannot load the server module " + path + ": " + (why ? why : "?")).c_str(),
                 false);
    return exit_failure;
  }
  using entry_fn = int (*)(int, char**);
  auto entry = reinterpret_cast<entry_fn>(::dlsym(module, "backtestd_server_main"));
  if (!entry) {
    report_error(argv[1], ("the server module " + path + " has no entry point").c_str(), false);
    return exit_failure;
  }
  return entry(argc, argv);
}

} // namespace bt::app
