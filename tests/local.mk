# tests: Check suites and shell tests
