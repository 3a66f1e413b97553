/** Secrets and settings the worker tests run with (never real secrets). */
export const TEST_BINDINGS = {
  PERF_DASHBOARD_TOKEN: "test-upload-token-0123456789abcdef",
  ADMIN_TOKEN: "test-admin-token-0123456789abcdef",
  GITHUB_TOKEN: "github_pat_emulated_0123456789",
  GITHUB_API_URL: "https://api.github.test",
  GITHUB_WEBHOOK_SECRET: "webhook-secret-current-0123456789",
  GITHUB_WEBHOOK_SECRET_PREVIOUS: "webhook-secret-previous-0123456789",
  // Every read sees the latest write, so a test can prove that nothing changed.
  STATUS_CACHE_SECONDS: "0",
  // A regression is alerted at once here; the confirmation tests switch it back on.
  CONFIRM_REGRESSIONS: "false",
};
