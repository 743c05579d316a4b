"""The low-code engine's domain half: entity specs and profiles, lists, values, writes, import,
export, the one XLSX writer, private downloads. No Reflex here; admin/ draws the screens.

    spec.py       EntitySpec / FieldSpec, derived from the model
    profile.py    Profile (one subclass per entity: spec + rules) and the registry ENTITIES
    profiles/     one module per entity
    registry.py   ENTITIES with every profile loaded (what callers import)
    listing.py    scope, paged and searched lists, display rows, labels, pickers, filters
    values.py     typing and checking form strings; a record's form values and card
    writes.py     get, create, update, soft delete, restore (checked, versioned, audited)
    hooks.py      FieldError, how an area's save rule refuses a value
    imports.py    import from XLSX/CSV: whole-file check, report, all or nothing
    exports.py    export of a (filtered) list to XLSX/CSV
    sheets.py     safe reading of XLSX/CSV files, CSV writing
    xlsx.py       the one XLSX writer of the app
    marking.py    personal-data export marking (stamp, purpose, audit)
    downloads.py  private files for one user (exports, reports, staged uploads)
"""
