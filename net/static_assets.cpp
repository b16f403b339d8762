#include "net/static_assets.hpp"

#include "net/api_error.hpp"

#include <fstream>
#include <sstream>

namespace bt::http {
namespace {

const char* docs_page = R"(<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>backtestd API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: "/openapi.json",
      dom_id: "#swagger-ui",
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout"
    });
  </script>
</body>
</html>
)";

bool read(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

} // namespace

static_assets::static_assets(std::string openapi, const std::string& swagger_dir)
    : openapi_(std::move(openapi)), swagger_dir_(swagger_dir) {
  const std::pair<const char*, const char*> wanted[] = {
      {"swagger-ui.css", "text/css; charset=utf-8"},
      {"swagger-ui-bundle.js", "application/javascript; charset=utf-8"},
      {"swagger-ui-standalone-preset.js", "application/javascript; charset=utf-8"},
      {"favicon-32x32.png", "image/png"},
      {"favicon-16x16.png", "image/png"},
  };
  for (const auto& [name, type] : wanted) {
    std::string body;
    if (read(swagger_dir + "/" + name, body))
      files_[name] = file{type, std::move(body)};
  }
  if (files_.count("swagger-ui-bundle.js") == 0)
    files_.clear();
}

response static_assets::get(const std::string& path) const {
  response r;
  if (path == "/openapi.json") {
    r.body = openapi_;
    return r;
  }
  if (files_.empty())
    return error_response(
        503, "unavailable",
        "Swagger UI is not installed: run 'npm install' in web/ or set --web-dir to "
        "the swagger-ui-dist directory (looked in "
            + swagger_dir_ + ")");
  if (path == "/docs" || path == "/docs/") {
    r.content_type = "text/html; charset=utf-8";
    r.body = docs_page;
    return r;
  }
  auto it = files_.find(path.substr(6)); // after "/docs/"
  if (it == files_.end())
    return error_response(404, "not_found", "no such file: " + path);
  r.content_type = it->second.content_type;
  r.body = it->second.body;
  r.headers.emplace_back("Cache-Control", "public, max-age=3600");
  return r;
}

} // namespace bt::http
