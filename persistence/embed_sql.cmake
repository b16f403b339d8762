# Turns persistence/migrations/*.sql into a C++ source, so that the binary
# carries its schema and needs no files at run time.
file(GLOB migrations "${SOURCE_DIR}/migrations/*.sql")
list(SORT migrations)
set(body "// Generated from persistence/migrations/*.sql: do not edit.\n#include \"persistence/migrations.hpp\"\nnamespace bt::db {\nconst std::vector<migration>& migrations() {\n  static const std::vector<migration> all{\n")
foreach(file ${migrations})
  get_filename_component(name ${file} NAME_WE)
  file(READ ${file} sql)
  string(APPEND body "    {\"${name}\", R\"__sql__(${sql})__sql__\"},\n")
endforeach()
string(APPEND body "  };\n  return all;\n}\n} // namespace bt::db\n")
file(WRITE ${OUTPUT}.tmp "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUTPUT}.tmp ${OUTPUT})
