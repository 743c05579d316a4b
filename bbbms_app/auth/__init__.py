"""Authentication and authorization: AuthState, the per-handler permission guard, sessions."""
