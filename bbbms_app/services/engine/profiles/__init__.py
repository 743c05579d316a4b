"""One module per entity, each defining its Profile subclass (which registers it).

Every module of this package is imported by `profile.load()`: a new entity is a new module here,
no list to extend.
"""

from importlib import import_module
from pkgutil import iter_modules

for _module in iter_modules(__path__):
    import_module(f"{__name__}.{_module.name}")
