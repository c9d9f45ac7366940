"""The sync sibling of a URL the app computes (a property, a method, a field a validator
puts together): the same member made sync, written beside it in the same class, so the
app and Alembic share one source of truth. Text only; pyedit puts it in place."""

from __future__ import annotations

import json

_DOC = '"""`{of}` made sync ({driver}): the URL Alembic migrates with."""'
_SSL = {"true": "require", "false": "disable", "1": "require", "0": "disable"}


def sync_member(
    name: str, read: str, drivername: str, renames: dict[str, str | None], *, method: bool
) -> str:
    """`name` as a property (or a method when `method`) deriving the sync URL from `read`
    (`self.url.get_secret_value()`): the driver swapped with SQLAlchemy's `URL.set`, the
    query parameters the sync driver spells differently renamed, the ones it lacks dropped."""
    doc = _DOC.format(of=name[: -len("_sync")] + ("()" if method else ""), driver=drivername)
    lines = [
        *([] if method else ["@property"]),
        f"def {name}(self) -> str:",
        f"    {doc}",
        "    from sqlalchemy.engine import make_url",
        "",
        f"    url = make_url(str({read}))",
    ]
    if renames:
        lines += [
            "    # the async driver's query parameters as the sync one spells them (None: dropped)",
            "    names = {",
            *(
                f"        {json.dumps(k)}: {json.dumps(v) if v else None},"
                for k, v in renames.items()
            ),
            "    }",
            f"    ssl = {json.dumps(_SSL)}",
            "    query = {",
            '        names.get(k, k): ssl.get(str(v).lower(), v) if k == "ssl" else v',
            "        for k, v in url.query.items()",
            "        if names.get(k, k)",
            "    }",
            f"    url = url.set(drivername={json.dumps(drivername)}, query=query)",
        ]
    else:
        lines.append(f"    url = url.set(drivername={json.dumps(drivername)})")
    lines.append("    return url.render_as_string(hide_password=False)")
    return "\n".join(lines) + "\n"
