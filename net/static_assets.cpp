#include "net/static_assets.hpp"

#include "net/api_error.hpp"
#include "services/gzip.hpp"
#include "services/permissions.hpp"

#include <boost/json.hpp>

#include <filesystem>
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

// ReDoc renders the same contract, as a reader rather than a console.
const char* redoc_page = R"(<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>backtestd API</title>
  <style>body { margin: 0; padding: 0; }</style>
</head>
<body>
  <redoc spec-url="/openapi.json"></redoc>
  <script src="/redoc/redoc.standalone.js"></script>
</body>
</html>
)";

response html(const char* page) {
  response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = page;
  return r;
}

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

namespace {

std::string with_permissions(const std::string& openapi) {
  // The permission table is the one source: each operation of the document
  // gets its permission (x-permission) and a sentence saying so.
  boost::json::value doc = boost::json::parse(openapi);
  auto& paths = doc.as_object()["paths"].as_object();
  for (const auto& e : endpoint_permissions()) {
    auto path = paths.find(e.path);
    if (path == paths.end())
      continue;
    std::string method = e.method;
    for (auto& ch : method)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto op = path->value().as_object().find(method);
    if (op == path->value().as_object().end())
      continue;
    auto& o = op->value().as_object();
    o["x-permission"] = permission_name(e.needs);
    std::string roles;
    for (const auto& role : role_names())
      if (role_has(role, e.needs))
        roles += (roles.empty() ? "" : ", ") + role;
    std::string description = o.contains("description") ? o["description"].as_string().c_str() : "";
    o["description"] = description + (description.empty() ? "" : "\n\n") + "Permission: `"
                       + permission_name(e.needs) + "` (roles: " + roles
                       + "); without it, 403 naming the permission.";
  }
  return boost::json::serialize(doc);
}

} // namespace

static_assets::static_assets(std::string openapi, const std::string& swagger_dir)
    : openapi_(with_permissions(openapi)), swagger_dir_(swagger_dir) {
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
      files_[name] = file{type, std::move(body), {}};
  }
  if (files_.count("swagger-ui-bundle.js") == 0)
    files_.clear();
  redoc_path_ = (std::filesystem::path(swagger_dir).parent_path() / "redoc" / "bundles"
                 / "redoc.standalone.js")
                    .string();
  if (read(redoc_path_, redoc_.body))
    redoc_.content_type = "application/javascript; charset=utf-8";
  if (!redoc_.body.empty())
    redoc_.gzipped = gzip_compress(redoc_.body, 6);
  for (auto& [name, f] : files_)
    if (f.content_type.rfind("image/", 0) != 0) // PNGs are compressed already
      f.gzipped = gzip_compress(f.body, 6);
  // The application: index.html and every file of dist/assets (hashed
  // names), at most 64 MiB in all, read once.
  app_dir_ = (std::filesystem::path(swagger_dir).parent_path().parent_path() / "dist").string();
  if (read(app_dir_ + "/index.html", app_index_.body)) {
    app_index_.content_type = "text/html; charset=utf-8";
    std::error_code ec;
    std::size_t total = app_index_.body.size();
    for (const auto& entry : std::filesystem::directory_iterator(app_dir_ + "/assets", ec)) {
      const std::string name = entry.path().filename().string();
      const std::string ext = entry.path().extension().string();
      const char* type = ext == ".js"      ? "application/javascript; charset=utf-8"
                         : ext == ".css"   ? "text/css; charset=utf-8"
                         : ext == ".svg"   ? "image/svg+xml"
                         : ext == ".png"   ? "image/png"
                         : ext == ".woff2" ? "font/woff2"
                                           : nullptr;
      std::string body;
      if (!type || !entry.is_regular_file() || !read(entry.path().string(), body))
        continue;
      total += body.size();
      if (total > (64u << 20))
        break;
      file f{type, std::move(body), {}};
      if (ext != ".png" && ext != ".woff2")
        f.gzipped = gzip_compress(f.body, 6);
      app_files_[name] = std::move(f);
    }
  }
}

response static_assets::app(const std::string& path, bool accept_gzip) const {
  if (app_index_.body.empty())
    return error_response(503, "unavailable",
                          "the web application is not built: run 'npm ci && npm run build' in web/ "
                          "(looked in "
                              + app_dir_ + ")");
  if (path == "/" || path == "/index.html") {
    response r = html(app_index_.body.c_str());
    r.headers.emplace_back("Cache-Control", "no-cache"); // it names the current bundles
    return r;
  }
  auto it = app_files_.find(path.substr(8)); // after "/assets/"
  if (path.rfind("/assets/", 0) != 0 || it == app_files_.end())
    return error_response(404, "not_found", "no such file: " + path);
  response r = serve(it->second, accept_gzip);
  // Hashed names never change content: cached for a year.
  for (auto& [name, value] : r.headers)
    if (name == "Cache-Control")
      value = "public, max-age=31536000, immutable";
  return r;
}

response static_assets::serve(const file& f, bool accept_gzip) {
  response r;
  r.content_type = f.content_type;
  if (!f.gzipped.empty()) {
    r.headers.emplace_back("Vary", "Accept-Encoding");
    if (accept_gzip) {
      r.body = f.gzipped;
      r.headers.emplace_back("Content-Encoding", "gzip");
    }
  }
  if (r.body.empty())
    r.body = f.body;
  r.headers.emplace_back("Cache-Control", "public, max-age=3600");
  return r;
}

response static_assets::get(const std::string& path, bool accept_gzip) const {
  response r;
  if (path == "/openapi.json") {
    r.body = openapi_;
    return r;
  }
  if (path == "/redoc" || path == "/redoc/" || path.rfind("/redoc/", 0) == 0) {
    if (redoc_.body.empty())
      return error_response(503, "unavailable",
                            "ReDoc is not installed: run 'npm ci' in web/ or set --web-dir to the "
                            "swagger-ui-dist directory that node_modules/redoc sits beside "
                            "(looked for "
                                + redoc_path_ + ")");
    if (path == "/redoc" || path == "/redoc/") {
      return html(redoc_page);
    }
    if (path != "/redoc/redoc.standalone.js")
      return error_response(404, "not_found", "no such file: " + path);
    return serve(redoc_, accept_gzip);
  }
  if (files_.empty())
    return error_response(
        503, "unavailable",
        "Swagger UI is not installed: run 'npm install' in web/ or set --web-dir to "
        "the swagger-ui-dist directory (looked in "
            + swagger_dir_ + ")");
  if (path == "/docs" || path == "/docs/") {
    return html(docs_page);
  }
  auto it = files_.find(path.substr(6)); // after "/docs/"
  if (it == files_.end())
    return error_response(404, "not_found", "no such file: " + path);
  return serve(it->second, accept_gzip);
}

} // namespace bt::http
