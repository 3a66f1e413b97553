/** Secrets and settings the worker tests run with (never real secrets). */
export const TEST_BINDINGS = {
  PERF_DASHBOARD_TOKEN: "test-upload-token-0123456789abcdef",
  ADMIN_TOKEN: "test-admin-token-0123456789abcdef",
  // Every read sees the latest write, so a test can prove that nothing changed.
  STATUS_CACHE_SECONDS: "0",
};
