#pragma once
// /openapi.json, the Swagger UI at /docs, ReDoc at /redoc and the browser
// application at / (web/dist, built by Vite), served from memory. Their files come from the npm
// packages swagger-ui-dist and redoc, read once at start-up from their install directories (no
// CDN): ReDoc's bundle beside swagger-ui-dist, in ../redoc/bundles.

#include "net/http_types.hpp"

#include <map>
#include <string>

namespace bt::http {

class static_assets {
public:
  static_assets(std::string openapi, const std::string& swagger_dir);
  /// The response for GET `path` (/openapi.json, /docs, /docs/<file>,
  /// /redoc, /redoc/redoc.standalone.js).
  /// Files are gzipped once, at start-up, for clients that accept it.
  response get(const std::string& path, bool accept_gzip = false) const;
  bool has_swagger_ui() const { return !files_.empty(); }
  /// The browser application (web/dist, beside node_modules): / and
  /// /index.html, and its hashed files under /assets/.
  response app(const std::string& path, bool accept_gzip = false) const;
  bool has_redoc() const { return !redoc_.body.empty(); }

private:
  struct file {
    std::string content_type;
    std::string body;
    std::string gzipped; ///< body, gzip-compressed
  };
  /// The answer carrying `f`, compressed when the client accepts it.
  static response serve(const file& f, bool accept_gzip);
  std::string openapi_;
  std::string swagger_dir_;
  std::map<std::string, file> files_;
  file redoc_;
  std::string redoc_path_;
  std::string app_dir_;
  file app_index_;
  std::map<std::string, file> app_files_; ///< by name under assets/
};

} // namespace bt::http
