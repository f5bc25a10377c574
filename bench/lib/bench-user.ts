/** The one user the benchmark backends know: premium, so the plan clamps nothing. */
export const BENCH_USER = {
  id: "7c1e4b0a-5d2f-4a8e-9b3c-1f6d2e8a4c70",
  email: "bench@example.com",
  subscription: "premium",
  expires_at: null,
};
