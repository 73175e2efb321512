# Included by ctest (TEST_INCLUDE_FILES of tests/, see aamp_test_area in tests/CMakeLists.txt):
# one ctest test per GoogleTest *suite* of the executable AAMP_SUITES_EXE, named after the suite
# ("Executor", "Models/ConformanceBf16") and labelled AAMP_SUITES_LABEL. A test per suite rather
# than per test case: each process start loads oneDNN, protobuf and the CUDA libraries (about
# 0.25 s here), which over a thousand cases was a third of ctest's time on CI's two cores.
# `ctest -R Suite` selects suites; a single case runs as `build/tests/test_AREA --gtest_filter=`.
execute_process(COMMAND "${AAMP_SUITES_EXE}" --gtest_list_tests
                OUTPUT_VARIABLE listing ERROR_VARIABLE listing_err RESULT_VARIABLE rc
                TIMEOUT 60)
if(NOT rc EQUAL 0)
  # Listed as a test that fails, with the reason, rather than silently missing.
  add_test("${AAMP_SUITES_LABEL}_LIST_FAILED" "${AAMP_SUITES_EXE}" --gtest_list_tests)
  set_tests_properties("${AAMP_SUITES_LABEL}_LIST_FAILED" PROPERTIES LABELS "${AAMP_SUITES_LABEL}")
  return()
endif()
string(REPLACE "\n" ";" lines "${listing}")
foreach(line IN LISTS lines)
  # Suite lines start in column 0 and end with '.' (typed suites add "  # TypeParam = ...").
  if(line MATCHES "^([^ #][^ ]*)\\.( |$)")
    set(suite "${CMAKE_MATCH_1}")
    add_test("${suite}" "${AAMP_SUITES_EXE}" "--gtest_filter=${suite}.*" --gtest_brief=1)
    # A suite whose every case skipped (no GPU, say) is reported skipped, not passed.
    set_tests_properties("${suite}" PROPERTIES LABELS "${AAMP_SUITES_LABEL}"
                         SKIP_REGULAR_EXPRESSION "\\[  PASSED  \\] 0 tests")
  endif()
endforeach()
