"""The message catalog, one module per area of the app; each maps key -> (Kyrgyz, Russian, English)."""
