# tm's integration tests (included from tests/integration/CMakeLists.txt, which defines siphost_integration_test).
siphost_integration_test(tm_seed_stateful_call tm_seed_stateful_call.sh)
siphost_integration_test(tm_load tm_load.sh)
siphost_integration_test(tm_busy tm_busy.sh)
siphost_integration_test(tm_timeout tm_timeout.sh)
siphost_integration_test(tm_cancel tm_cancel.sh)
siphost_integration_test(tm_loss tm_loss.sh)
siphost_integration_test(tm_reply tm_reply.sh)
siphost_integration_test(tm_fork tm_fork.sh)
