#pragma once
// /openapi.json and the Swagger UI at /docs, served from memory. The UI's
// files come from the npm package swagger-ui-dist, read once at start-up
// from its install directory (no CDN).

#include "net/http_types.hpp"

#include <map>
#include <string>

namespace bt::http {

class static_assets {
public:
  static_assets(std::string openapi, const std::string& swagger_dir);
  /// The response for GET `path` (/openapi.json, /docs, /docs/<file>).
  response get(const std::string& path) const;
  bool has_swagger_ui() const { return !files_.empty(); }

private:
  struct file {
    std::string content_type;
    std::string body;
  };
  std::string openapi_;
  std::string swagger_dir_;
  std::map<std::string, file> files_;
};

} // namespace bt::http
