# Helpers shared by every directory's CMakeLists.txt.

# mc_unit_test(NAME SOURCES src... LIBS lib...)
# One cmocka executable per module, registered with ctest under the label "unit".
function(mc_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT BUILD_TESTING)
    return()
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} PkgConfig::CMOCKA)
  add_test(NAME ${name} COMMAND ${name})
  set(labels unit ${T_LABELS})
  set_tests_properties(${name} PROPERTIES LABELS "${labels}"
    ENVIRONMENT "MC_SOURCE_DIR=${CMAKE_SOURCE_DIR};MC_BUILD_DIR=${CMAKE_BINARY_DIR}")
endfunction()

# mc_integration_test(NAME COMMAND cmd... [TIMEOUT s])
# Tests that start real services through scripts/; label "integration". They run serially
# because they share the private PostgreSQL / RabbitMQ / Keystone under the state directory.
function(mc_integration_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "COMMAND" ${ARGN})
  if(NOT BUILD_TESTING)
    return()
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 1800) # real-client tests are slow on a loaded 2-core machine
  endif()
  add_test(NAME ${name} COMMAND ${T_COMMAND})
  set_tests_properties(${name} PROPERTIES LABELS integration RUN_SERIAL TRUE
    TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "MC_SOURCE_DIR=${CMAKE_SOURCE_DIR};MC_BUILD_DIR=${CMAKE_BINARY_DIR}")
endfunction()
