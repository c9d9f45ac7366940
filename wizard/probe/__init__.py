"""The probe: the project's own interpreter asked what static reading cannot settle (the
URL each async engine is given, where that value comes from, the tables the models make).
`protocol` is shared by both sides; `in_project` runs there; `runner` starts it."""
