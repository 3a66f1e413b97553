/** Secrets the worker tests run with (never real ones). */
export const TEST_SECRETS = {
  PERF_DASHBOARD_TOKEN: "test-upload-token-0123456789abcdef",
  ADMIN_TOKEN: "test-admin-token-0123456789abcdef",
};
