"""Every query and write of the app; functions take `session` first and never import Reflex."""
