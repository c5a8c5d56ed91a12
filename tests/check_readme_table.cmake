# Fails when the reward table in README.md differs from `merit list --markdown`.
execute_process(COMMAND ${MERIT} list --markdown OUTPUT_VARIABLE table RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "merit list --markdown failed")
endif()
file(READ ${README} readme)
string(FIND "${readme}" "${table}" position)
if(position EQUAL -1)
  message(FATAL_ERROR "README.md's reward table is stale: regenerate it with `merit list --markdown` "
                      "(between the <!-- rewards:begin --> and <!-- rewards:end --> markers).")
endif()
