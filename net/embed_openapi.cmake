# Embeds net/openapi.json (the API contract) into the binary.
file(READ ${INPUT} json)
file(WRITE ${OUTPUT}.tmp "// Generated from net/openapi.json: do not edit.\n#include <string>\nnamespace bt::http {\nconst std::string& openapi_document() {\n  static const std::string doc = R\"__json__(${json})__json__\";\n  return doc;\n}\n} // namespace bt::http\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUTPUT}.tmp ${OUTPUT})
