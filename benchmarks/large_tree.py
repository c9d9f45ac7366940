"""Generate a large, realistic async FastAPI + SQLAlchemy 2.0 project for the inspection benchmark.

    python benchmarks/large_tree.py OUT_DIR [--modules 2000] [--model-modules 100] [--seed 8]

The tree (issue 8 point 9: "a 2,000-module project with 100 model modules"):

- `app/models/`: `model_modules` model modules on one shared `app/db/base.py` (SQLAlchemy 2.0
  `DeclarativeBase`, `Mapped` columns, a timestamp mixin, foreign keys and `back_populates`
  relationships across modules with `TYPE_CHECKING` imports, a few Core association tables);
  `app/models/__init__.py` imports every model, as projects do for Alembic.
- `app/core/config.py`: a pydantic-settings `Settings` with `database_url`, `settings = Settings()`;
  `app/db/session.py`: `engine = create_async_engine(settings.database_url, ...)`; `.env` with
  `DATABASE_URL=sqlite+aiosqlite:///./app.db` (and `.env.example`).
- every other module (`modules` in all, counting every `.py` file, `__init__.py` included) looks
  like real code and defines no table: of them about 40% mention SQLAlchemy (routers with an
  `AsyncSession` dependency, services, repositories, query modules, background tasks, tests),
  10% import the settings (API clients, webhooks, storage, caches; a third of them use the
  `Settings` type, so they pass a byte prefilter on "Settings"), and the rest never mention the
  database: pydantic schemas (a few holding a `...Settings(BaseModel)` class), helpers, constants,
  enums, exceptions, package `__init__` files that re-export. The SQLAlchemy modules call helpers
  imported from the plain modules with two or more positional arguments (`slugify(title, 80)`),
  the shape that made inspection load plain modules on demand. About 5% are tests under
  `tests/`, whose `conftest.py` has an engine of its own (`sqlite+aiosqlite:///:memory:`) that
  is not the app's.

Every file is 30-150 lines (except app/models/__init__.py past ~140 model modules: one import
line per model module). The output is a function of (modules, model_modules, seed) only.
Nothing here imports FastAPI or SQLAlchemy; the models and settings do import (and map) with
SQLAlchemy >= 2.0 and pydantic-settings installed.
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

ENTITIES = """
user account organization team membership role permission project task comment attachment tag
label invoice payment refund subscription plan coupon customer address order order_item product
category inventory_item warehouse shipment carrier supplier purchase_order review rating
notification message conversation channel webhook_endpoint api_key audit_log device location
region country currency exchange_rate tax_rate discount cart cart_item wishlist article author
publication event ticket venue booking reservation room hotel flight passenger vehicle driver
trip route stop schedule shift employee department payroll_run timesheet leave_request expense
budget report dashboard widget metric alert incident release deployment environment repository
branch pipeline job artifact dataset experiment feature_flag survey question answer course
lesson enrollment certificate quiz submission grade contract document signature approval
workflow step integration credential file_upload folder share invitation
""".split()  # noqa: SIM905 (a word list reads better as text)

EXTRA_DOMAINS = """
auth search analytics exports imports reporting admin scheduling compliance onboarding support
marketing pricing fulfillment identity messaging storage sync workflows billing_portal
""".split()  # noqa: SIM905

HELPER_GROUPS = {
    "text": ["slugify", "truncate", "normalize_spaces", "title_case", "mask", "pad", "wrap"],
    "dates": ["add_days", "days_between", "start_of_week", "to_timezone", "clamp_date", "age_on"],
    "money": ["round_money", "apply_discount", "split_amount", "add_tax", "convert", "percent_of"],
    "pagination": ["paginate", "page_count", "offset_for", "window", "chunked", "clamp_limit"],
    "crypto": ["hash_token", "sign_payload", "verify_signature", "random_code", "hmac_digest"],
    "files": ["safe_name", "join_key", "content_type_for", "split_ext", "size_label"],
    "http": ["build_url", "merge_headers", "retry_after", "backoff_delay", "query_string"],
    "validation": ["require_length", "require_range", "check_pattern", "one_of", "non_empty"],
    "formatting": ["format_money", "format_date", "format_percent", "plural", "join_names"],
    "geo": ["distance_km", "bounding_box", "midpoint", "in_radius", "bearing"],
    "collections": ["group_by", "index_by", "partition", "dedupe", "flatten", "first_where"],
    "retry": ["retry_delays", "should_retry", "jitter", "deadline_after", "attempts_left"],
    "ids": ["short_id", "prefixed_id", "parse_prefixed", "encode_base36", "decode_base36"],
    "numbers": ["clamp", "ratio", "rounded", "safe_div", "scale", "lerp"],
    "urls": ["add_query", "strip_query", "same_origin", "absolute", "path_join"],
}

SA_ROLES = ["service", "repository", "router", "queries", "tasks", "admin", "events", "stats"]
SETTINGS_ROLES = ["client", "notifications", "webhooks", "storage", "cache", "rate_limits"]
PLAIN_ROLES = ["constants", "exceptions", "enums", "validators", "types", "permissions"]


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _plural(name: str) -> str:
    if name.endswith(("s", "x", "ch", "sh")):
        return name + "es"
    if name.endswith("y") and name[-2:-1] not in "aeiou":
        return name[:-1] + "ies"
    return name + "s"


@dataclass
class Entity:
    name: str
    index: int
    parents: list[int] = field(default_factory=list)
    children: list[int] = field(default_factory=list)
    history: bool = False
    links: list[int] = field(default_factory=list)  # many-to-many through a Core Table

    @property
    def cls(self) -> str:
        return _camel(self.name)

    @property
    def table(self) -> str:
        return _plural(self.name)

    @property
    def module(self) -> str:
        return f"app.models.{self.name}"


@dataclass
class Helper:
    module: str  # dotted
    functions: list[str]


@dataclass
class Domain:
    name: str
    cls: str
    entity: Entity
    files: dict[str, str] = field(default_factory=dict)  # module stem -> kind


@dataclass
class Plan:
    rng: random.Random
    entities: list[Entity]
    helpers: list[Helper]
    domains: list[Domain]
    tests: list[str]  # test module stems (under tests/), "conftest" first


# ---------------------------------------------------------------------------------------------
# planning: which files exist and what each one refers to


def _entities(rng: random.Random, count: int) -> list[Entity]:
    names = list(ENTITIES)
    suffix = 2
    while len(names) < count:  # more models than words: legacy_user, partner_user, ...
        prefix = ["legacy", "partner", "external", "archived", "staging"][(suffix - 2) % 5]
        names += [f"{prefix}{'' if suffix < 7 else suffix}_{n}" for n in ENTITIES]
        suffix += 1
    out = [Entity(n, i) for i, n in enumerate(names[:count])]
    for entity in out[1:]:
        earlier = range(max(0, entity.index - 30), entity.index)
        for parent in rng.sample(earlier, min(len(earlier), rng.choice([0, 1, 1, 1, 2]))):
            entity.parents.append(parent)
            out[parent].children.append(entity.index)
        entity.history = rng.random() < 0.25
        if entity.index > 5 and rng.random() < 0.1:
            entity.links.append(rng.choice([e for e in earlier if e not in entity.parents]))
    return out


def _plan(modules: int, model_modules: int, seed: int) -> tuple[Plan, int]:
    rng = random.Random(seed)
    entities = _entities(rng, model_modules)
    fixed = len(_FIXED_FILES) + model_modules + 1  # + app/models/__init__.py
    other = modules - fixed
    if other < 60:
        raise ValueError(f"modules must be at least {fixed + 60} for {model_modules} models")
    n_sa = round(0.40 * other)
    n_settings = round(0.10 * other)
    n_plain = other - n_sa - n_settings

    n_domains = max(4, other // 15)
    domain_names = [_plural(e.name) for e in entities]
    domain_names += [d for d in EXTRA_DOMAINS if d not in domain_names]
    suffix = 2
    while len(domain_names) < n_domains:
        domain_names += [f"{d}_{suffix}" for d in EXTRA_DOMAINS]
        suffix += 1
    domains = []
    for i, name in enumerate(domain_names[:n_domains]):
        entity = entities[i] if i < len(entities) else rng.choice(entities)
        cls = entity.cls if i < len(entities) else _camel(name)
        domains.append(Domain(name, cls, entity))

    groups = list(HELPER_GROUPS)
    # plain files that are packages: app/domains, app/utils, every domain, every helper group,
    # tests/ -- then the helper modules, schemas and the other plain roles
    n_plain -= 3 + n_domains + len(groups)
    n_tests = max(3, round(0.05 * other))
    n_helpers = round(0.40 * n_plain)
    n_schemas = round(0.25 * n_plain)
    n_misc = n_plain - n_helpers - n_schemas
    if min(n_helpers, n_schemas, n_misc) < len(groups):
        raise ValueError("too few modules for this layout")

    helpers = []
    for i in range(n_helpers):
        group = groups[i % len(groups)]
        words = HELPER_GROUPS[group]
        stem = f"{words[(i // len(groups)) % len(words)]}"
        round_ = i // (len(groups) * len(words))
        stem = f"{stem}_{round_ + 1}" if round_ else stem
        count = rng.randint(4, 9)
        base = words[(i // len(groups)) % len(words)]
        functions = [base] + [f"{base}_{k}" for k in range(2, count + 1)]
        helpers.append(Helper(f"app.utils.{group}.{stem}", functions))

    def spread(kinds: list[tuple[str, str]]) -> None:
        rng.shuffle(kinds)
        for i, (kind, role) in enumerate(kinds):
            domain = domains[i % n_domains]
            stem, k = role, 2
            while stem in domain.files:
                stem, k = f"{role}_{k}", k + 1
            domain.files[stem] = kind

    # every domain first gets a service, a repository and a router (when there are enough)
    sa_left = n_sa - n_tests
    for role in ("service", "repository", "router"):
        for domain in domains:
            if sa_left > 0:
                domain.files[role] = "sa"
                sa_left -= 1
    for domain in domains[:n_schemas]:
        domain.files["schemas"] = "schemas"
    spread([("sa", rng.choice(SA_ROLES[3:])) for _ in range(sa_left)])
    spread([("settings", rng.choice(SETTINGS_ROLES)) for _ in range(n_settings)])
    spread([("schemas", "schemas") for _ in range(n_schemas - min(n_schemas, n_domains))])
    spread([("plain", rng.choice(PLAIN_ROLES)) for _ in range(n_misc)])
    tests = ["conftest"] + [
        f"test_{domains[i % n_domains].name}_{i // n_domains + 1}" for i in range(n_tests - 1)
    ]
    return Plan(rng, entities, helpers, domains, tests), modules


# ---------------------------------------------------------------------------------------------
# rendering


class _Lines:
    """A file under construction that stays within 30-150 lines."""

    def __init__(self, rng: random.Random, low: int = 30, high: int = 150) -> None:
        self.rng = rng
        self.lines: list[str] = []
        self.target = rng.randint(max(low, 40), min(high, 140))
        self.high = high

    def add(self, text: str) -> None:
        self.lines += text.split("\n")

    def fits(self, text: str) -> bool:
        return len(self.lines) + text.count("\n") + 3 <= self.high

    def wants_more(self) -> bool:
        return len(self.lines) < self.target

    def text(self) -> str:
        while len(self.lines) < 30:  # the floor; normally reached by the content itself
            self.add("")
            self.add(f"# {self.rng.choice(_NOTES)}")
        return "\n".join(self.lines).rstrip("\n") + "\n"


_NOTES = [
    "kept in sync with the API documentation",
    "see the architecture decision record for why this lives here",
    "values here are part of the public API: change them with a deprecation period",
    "the mobile clients rely on this order",
    "covered by the integration tests",
]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _helper_call(rng: random.Random, plan: Plan) -> tuple[str, str, str]:
    """(import line, local name, a call of it with 2-3 positional arguments)."""
    helper = rng.choice(plan.helpers)
    func = rng.choice(helper.functions)
    args = rng.choice(
        ["value, 80", "value, limit", "items, offset, limit", "amount, rate", "key, 3"]
    )
    return f"from {helper.module} import {func}", func, f"{func}({args})"


def _render_helper(plan: Plan, helper: Helper) -> str:
    rng = plan.rng
    out = _Lines(rng)
    group = helper.module.split(".")[2]
    out.add(
        f'"""{group.capitalize()} helpers: {", ".join(helper.functions[:3])}, ...\n\n'
        'Pure functions, no I/O: safe to call from request handlers and workers alike.\n"""'
    )
    out.add("")
    out.add("from __future__ import annotations")
    out.add("")
    out.add("import math\nimport re\nfrom collections.abc import Iterable, Sequence")
    out.add(
        "from datetime import date, datetime, timedelta\nfrom decimal import ROUND_HALF_UP, Decimal"
    )
    other = rng.choice(plan.helpers)
    if other is not helper and rng.random() < 0.3:
        out.add(f"\nfrom {other.module} import {other.functions[0]}")
    out.add("")
    out.add(f'_PATTERN = re.compile(r"[^a-z0-9]+")\n_DEFAULT_LIMIT = {rng.choice([20, 50, 100])}')
    bodies = [
        "    if not value:\n        return value\n"
        '    text = _PATTERN.sub("-", str(value).lower())\n'
        '    return text[: max(1, int(limit))].strip("-")',
        "    total = Decimal(str(value)) * Decimal(str(limit))\n"
        '    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)',
        "    if limit <= 0:\n        return []\n    items = list(value)\n"
        "    return [items[i : i + limit] for i in range(0, len(items), limit)]",
        "    start = value if isinstance(value, date) else datetime.fromisoformat(str(value))\n"
        "    return start + timedelta(days=int(limit))",
        "    if limit == 0:\n        return 0.0\n    return round(float(value) / float(limit), 4)",
        "    seen: set[object] = set()\n    out = []\n    for item in value:\n"
        "        key = item[limit] if isinstance(item, Sequence) else item\n"
        "        if key not in seen:\n            seen.add(key)\n            out.append(item)\n"
        "    return out",
        "    return math.hypot(float(value), float(limit))",
    ]
    for func in helper.functions:
        block = (
            f"\n\ndef {func}(value, limit=_DEFAULT_LIMIT):\n"
            f'    """{func.replace("_", " ").capitalize()} (see the module docstring)."""\n'
            f"{rng.choice(bodies)}"
        )
        if not out.fits(block):
            break
        out.add(block)
    while out.wants_more():
        name = f"_{rng.choice(['check', 'coerce', 'guard', 'norm'])}_{len(out.lines)}"
        block = (
            f"\n\ndef {name}(values: Iterable[object], default=None):\n"
            "    for value in values:\n        if value is not None:\n            return value\n"
            "    return default"
        )
        if not out.fits(block):
            break
        out.add(block)
    return out.text()


def _schema_classes(domain: Domain, stem: str) -> list[str]:
    tag = "" if stem == "schemas" else _camel(stem.replace("schemas", "").strip("_") or "")
    base = f"{domain.cls}{tag}"
    return [f"{base}Base", f"{base}Create", f"{base}Update", f"{base}Out", f"{base}Page"]


_FIELDS = [
    ("name", "str", "Field(min_length=1, max_length=200)"),
    ("description", "str | None", "None"),
    ("status", "str", '"active"'),
    ("amount", "Decimal", 'Decimal("0")'),
    ("quantity", "int", "Field(default=1, ge=0)"),
    ("email", "str | None", "None"),
    ("is_active", "bool", "True"),
    ("starts_at", "datetime | None", "None"),
    ("tags", "list[str]", "Field(default_factory=list)"),
    ("external_ref", "str | None", "Field(default=None, max_length=64)"),
    ("priority", "int", "0"),
    ("notes", "str", '""'),
]


def _render_schemas(plan: Plan, domain: Domain, stem: str) -> str:
    rng = plan.rng
    out = _Lines(rng)
    names = _schema_classes(domain, stem)
    out.add(f'"""Request and response bodies for {domain.name.replace("_", " ")}."""')
    out.add("")
    out.add("from __future__ import annotations\n")
    out.add("from datetime import datetime\nfrom decimal import Decimal\n")
    out.add("from pydantic import BaseModel, ConfigDict, Field")
    other = rng.choice(plan.domains)
    common = other is not domain and "schemas" in other.files and rng.random() < 0.4
    if common:
        out.add(f"\nfrom app.domains.{other.name}.schemas import {other.cls}Out")
    fields = rng.sample(_FIELDS, rng.randint(3, 7))
    body = "\n".join(f"    {n}: {t} = {d}" for n, t, d in fields)
    out.add(f"\n\nclass {names[0]}(BaseModel):\n{body}")
    out.add(f"\n\nclass {names[1]}({names[0]}):\n    pass")
    upd = "\n".join(f"    {n}: {t if 'None' in t else t + ' | None'} = None" for n, t, _ in fields)
    out.add(f"\n\nclass {names[2]}(BaseModel):\n{upd}")
    extra = (
        f"\n    {other.name}: list[{other.cls}Out] = Field(default_factory=list)" if common else ""
    )
    out.add(
        f"\n\nclass {names[3]}({names[0]}):\n"
        "    model_config = ConfigDict(from_attributes=True)\n\n"
        f"    id: int\n    created_at: datetime\n    updated_at: datetime | None = None{extra}"
    )
    out.add(
        f"\n\nclass {names[4]}(BaseModel):\n    items: list[{names[3]}]\n    total: int\n"
        "    offset: int = 0\n    limit: int = 50"
    )
    if rng.random() < 0.12:  # user-facing preferences, named like settings (realistic, and a trap)
        kind = rng.choice(["Notification", "Privacy", "Display", "Billing", "Export"])
        out.add(
            f"\n\nclass {domain.cls}{kind}Settings(BaseModel):\n"
            '    """Per-user preferences, stored as JSON."""\n\n'
            '    enabled: bool = True\n    frequency: str = "daily"\n    channels: list[str] = '
            'Field(default_factory=lambda: ["email"])'
        )
    k = 0
    while out.wants_more():
        k += 1
        f = rng.sample(_FIELDS, rng.randint(2, 5))
        body = "\n".join(f"    {n}: {t} = {d}" for n, t, d in f)
        block = f"\n\nclass {names[0].removesuffix('Base')}Filter{k}(BaseModel):\n{body}"
        if not out.fits(block):
            break
        out.add(block)
    return out.text()


def _render_plain(plan: Plan, domain: Domain, stem: str) -> str:
    rng = plan.rng
    out = _Lines(rng)
    role = stem.rstrip("_0123456789")
    title = domain.name.replace("_", " ")
    if role == "constants":
        out.add(f'"""Constants for {title}."""\n\nfrom typing import Final\n')
        words = [
            "MAX_PAGE_SIZE",
            "DEFAULT_PAGE_SIZE",
            "CACHE_TTL_SECONDS",
            "MAX_NAME_LENGTH",
            "EXPORT_BATCH",
            "RETRY_LIMIT",
            "ARCHIVE_AFTER_DAYS",
            "LOCK_TIMEOUT",
        ]
        for i in range(rng.randint(20, 60)):
            if not out.wants_more():
                break
            out.add(
                f"{domain.cls.upper()}_{words[i % len(words)]}_{i}: Final = {rng.randint(1, 999)}"
            )
    elif role == "exceptions":
        out.add(f'"""Errors raised by the {title} domain."""\n')
        out.add("from http import HTTPStatus\n\n")
        out.add(
            "class DomainError(Exception):\n    status = HTTPStatus.BAD_REQUEST\n\n"
            "    def __init__(self, message: str, *, code: str | None = None) -> None:\n"
            "        super().__init__(message)\n        self.code = code or type(self).__name__"
        )
        for kind in ["NotFound", "Conflict", "Forbidden", "Invalid", "Expired", "Locked", "Gone"]:
            block = (
                f"\n\nclass {domain.cls}{kind}(DomainError):\n"
                f'    """{domain.cls} {kind.lower()}."""\n\n'
                f"    status = HTTPStatus.{rng.choice(['NOT_FOUND', 'CONFLICT', 'FORBIDDEN'])}"
            )
            if out.fits(block):
                out.add(block)
    elif role == "enums":
        out.add(f'"""Enumerations of {title}."""\n\nfrom enum import Enum, IntEnum\n')
        for kind in ["Status", "Kind", "Visibility", "Source", "Level", "Channel", "Stage"]:
            members = "\n".join(
                f'    {m.upper()} = "{m}"'
                for m in rng.sample(
                    [
                        "draft",
                        "active",
                        "archived",
                        "pending",
                        "failed",
                        "done",
                        "public",
                        "private",
                        "internal",
                        "manual",
                        "api",
                        "import",
                        "low",
                        "high",
                    ],
                    rng.randint(3, 8),
                )
            )
            block = f"\n\nclass {domain.cls}{kind}(str, Enum):\n{members}"
            if out.fits(block) and out.wants_more():
                out.add(block)
        out.add(
            f"\n\nclass {domain.cls}Priority(IntEnum):\n    LOW = 1\n    NORMAL = 2\n    HIGH = 3"
        )
    else:  # validators, types, permissions: small functions over plain values
        out.add(f'"""{role.capitalize()} for {title}."""\n\nfrom __future__ import annotations\n')
        out.add("import re\nfrom collections.abc import Mapping\n")
        imp, local, call = _helper_call(rng, plan)
        out.add(imp)
        out.add(f'\n_ALLOWED = re.compile(r"^[a-z][a-z0-9_]{{2,{rng.randint(20, 60)}}}$")')
        k = 0
        while out.wants_more():
            k += 1
            block = (
                f"\n\ndef {role}_{domain.name}_{k}(payload, value, limit=10, items=(), offset=0):\n"
                "    if not _ALLOWED.match(str(value)):\n"
                f'        raise ValueError("invalid {role} value")\n'
                "    amount = rate = key = value\n"
                f"    result = {call}\n"
                "    if isinstance(result, Mapping):\n        return dict(result)\n"
                "    return result"
            )
            if not out.fits(block):
                break
            out.add(block)
    return out.text()


def _models_for(plan: Plan, domain: Domain) -> list[Entity]:
    rng = plan.rng
    picks = [domain.entity] + rng.sample(plan.entities, rng.randint(0, 2))
    return list({e.name: e for e in picks}.values())


def _render_sa(plan: Plan, domain: Domain, stem: str) -> str:
    rng = plan.rng
    out = _Lines(rng)
    role = stem.rstrip("_0123456789")
    models = _models_for(plan, domain)
    m = models[0]
    title = domain.name.replace("_", " ")
    out.add(f'"""{role.capitalize()} of {title}."""\n\nfrom __future__ import annotations\n')
    out.add("import logging\nfrom collections.abc import Sequence\n")
    if role == "router":
        out.add("from fastapi import APIRouter, Depends, HTTPException, status")
    out.add("from sqlalchemy import func, select")
    out.add("from sqlalchemy.ext.asyncio import AsyncSession\n")
    if role in ("router", "tasks", "admin"):
        out.add(
            "from app.db.session import get_session"
            if role == "router"
            else "from app.db.session import SessionLocal"
        )
    if role == "repository":
        out.add("from app.db.repository import BaseRepository")
    if role == "service":
        out.add("from app.core.service import BaseService")
    for e in models:
        out.add(f"from {e.module} import {e.cls}")
    if role == "router" and "service" in domain.files:
        out.add(f"from app.domains.{domain.name}.service import {domain.cls}Service")
    if role == "router" and "schemas" in domain.files:
        out.add(
            f"from app.domains.{domain.name}.schemas import "
            f"{domain.cls}Create, {domain.cls}Out, {domain.cls}Page"
        )
    if rng.random() < 0.05:
        out.add("from app.core.config import settings")
    calls = [_helper_call(rng, plan) for _ in range(rng.randint(1, 3))]
    for imp in dict.fromkeys(c[0] for c in calls):
        out.add(imp)
    out.add("\nlogger = logging.getLogger(__name__)")
    if role == "router":
        out.add(f'router = APIRouter(prefix="/{domain.name.replace("_", "-")}", tags=["{title}"])')
    table_col = f"{m.cls}.id"

    def call() -> str:
        return rng.choice(calls)[2]

    k = 0
    while out.wants_more():
        k += 1
        if role == "router":
            block = (
                f'\n\n@router.get("/{k}/{{item_id}}")\n'
                f"async def get_{m.name}_{k}(item_id: int, limit: int = 50, offset: int = 0,\n"
                f"        session: AsyncSession = Depends(get_session)):\n"
                f"    row = await session.get({m.cls}, item_id)\n"
                "    if row is None:\n"
                f'        raise HTTPException(status.HTTP_404_NOT_FOUND, "{m.name} not found")\n'
                "    value = key = amount = rate = row.id\n    items = [row]\n"
                f'    logger.debug("%s %s", row.id, {call()})\n    return row'
            )
        elif role == "repository" and k == 1:
            block = (
                f"\n\nclass {domain.cls}Repository(BaseRepository[{m.cls}]):\n"
                f"    model = {m.cls}\n\n"
                f"    async def list_page(self, offset: int, limit: int) -> Sequence[{m.cls}]:\n"
                f"        stmt = select({m.cls}).order_by({table_col})"
                ".offset(offset).limit(limit)\n"
                "        result = await self.session.execute(stmt)\n"
                "        return result.scalars().all()\n\n"
                "    async def count(self) -> int:\n"
                f"        stmt = select(func.count()).select_from({m.cls})\n"
                "        return (await self.session.execute(stmt)).scalar_one()"
            )
        elif role == "service" and k == 1:
            block = (
                f"\n\nclass {domain.cls}Service(BaseService):\n"
                f"    async def get(self, item_id: int) -> {m.cls} | None:\n"
                f"        return await self.session.get({m.cls}, item_id)\n\n"
                "    async def list(self, offset: int = 0, limit: int = 50)"
                f" -> Sequence[{m.cls}]:\n"
                f"        stmt = select({m.cls}).offset(offset).limit(limit)\n"
                "        value = key = amount = rate = offset\n        items = []\n"
                f'        logger.debug("page %s", {call()})\n'
                "        return (await self.session.execute(stmt)).scalars().all()"
            )
        elif role in ("tasks", "admin"):
            block = (
                f"\n\nasync def {role}_{m.name}_{k}(batch: int = 500) -> int:\n"
                "    done = 0\n    async with SessionLocal() as session:\n"
                f"        stmt = select({m.cls}).limit(batch)\n"
                "        for row in (await session.execute(stmt)).scalars():\n"
                "            value = key = amount = rate = row.id\n"
                "            items, offset, limit = [row], 0, batch\n"
                f"            {call()}\n            done += 1\n"
                "        await session.commit()\n    return done"
            )
        else:
            other = rng.choice(models)
            block = (
                f"\n\nasync def {role}_{other.name}_{k}("
                "session: AsyncSession, value, limit: int = 50):\n"
                f'    """{role.capitalize()} query {k} over {other.table}."""\n'
                f"    stmt = select({other.cls}).where({other.cls}.id > 0).limit(limit)\n"
                "    rows = (await session.execute(stmt)).scalars().all()\n"
                "    key = amount = rate = value\n    items, offset = rows, 0\n"
                f"    return rows, {call()}"
            )
        if not out.fits(block):
            break
        out.add(block)
    return out.text()


def _render_settings_user(plan: Plan, domain: Domain, stem: str) -> str:
    rng = plan.rng
    out = _Lines(rng)
    role = stem.rstrip("_0123456789")
    typed = rng.random() < 0.35
    out.add(f'"""{role.replace("_", " ").capitalize()} for {domain.name.replace("_", " ")}."""\n')
    out.add("from __future__ import annotations\n\nimport asyncio\nimport json\nimport logging\n")
    out.add(
        "from app.core.config import Settings, get_settings, settings"
        if typed
        else "from app.core.config import settings"
    )
    imp, _, callexpr = _helper_call(rng, plan)
    out.add(imp)
    out.add("\nlogger = logging.getLogger(__name__)\n")
    cls = f"{domain.cls}{_camel(role)}"
    init = (
        "    def __init__(self, config: Settings | None = None) -> None:\n"
        "        self.config = config or get_settings()"
        if typed
        else "    def __init__(self) -> None:\n        self.config = settings"
    )
    out.add(
        f'\nclass {cls}:\n    """Talks to the {role} backend configured in the settings."""\n\n'
        f"{init}\n        self.timeout = self.config.http_timeout\n"
        "        self._lock = asyncio.Lock()"
    )
    k = 0
    while out.wants_more():
        k += 1
        block = (
            f"\n    async def call_{k}(self, payload, value, limit: int = 10):\n"
            "        async with self._lock:\n"
            "            items, offset, key, amount, rate = [payload], 0, value, value, 1\n"
            f'            body = json.dumps({{"v": str({callexpr}), '
            '"env": self.config.environment})\n'
            '            logger.debug("sending %d bytes", len(body))\n'
            "            await asyncio.sleep(0)\n            return body"
        )
        if not out.fits(block):
            break
        out.add(block)
    return out.text()


def _render_domain_init(plan: Plan, domain: Domain) -> str:
    rng = plan.rng
    out = _Lines(rng)
    out.add(f'"""The {domain.name.replace("_", " ")} domain.\n')
    out.add(
        "Routers, services and repositories live in their own modules; this package re-exports\n"
        "the plain parts (schemas, errors, constants) so that other domains import them from\n"
        'one place.\n"""\n'
    )
    exported: list[str] = []
    for stem in sorted(domain.files):
        if stem == "schemas":
            names = _schema_classes(domain, stem)
        elif stem == "exceptions":
            names = ["DomainError", f"{domain.cls}NotFound", f"{domain.cls}Conflict"]
        else:
            continue
        out.add(f"from app.domains.{domain.name}.{stem} import (")
        out.add("\n".join(f"    {n}," for n in names))
        out.add(")")
        exported += names
    out.add("\n__all__ = [")
    out.add("\n".join(f'    "{n}",' for n in exported))
    out.add("]")
    while out.wants_more() and len(out.lines) < 32:
        out.add(f"\n# {rng.choice(_NOTES)}")
    return out.text()


def _render_package_init(rng: random.Random, what: str) -> str:
    out = _Lines(rng, high=40)
    out.add(f'"""{what}\n')
    out.add(
        "Modules here are imported by dotted path; nothing is imported eagerly, so that\n"
        "importing one helper never pulls in the others (start-up time matters for the\n"
        'CLI commands and the workers).\n"""\n\n__all__: list[str] = []'
    )
    while len(out.lines) < 30:
        out.add(f"# {rng.choice(_NOTES)}")
    return out.text()


def _render_test(plan: Plan, stem: str) -> str:
    rng = plan.rng
    out = _Lines(rng)
    if stem == "conftest":
        out.add('"""Fixtures: an in-memory database per test session."""\n')
        out.add(
            "import pytest\nimport pytest_asyncio\n"
            "from sqlalchemy.ext.asyncio import "
            "AsyncSession, async_sessionmaker, create_async_engine\n"
        )
        out.add(
            "import app.models  # noqa: F401 (registers every table)\n"
            "from app.db.base import Base\n\n"
        )
        out.add(
            "@pytest_asyncio.fixture\nasync def engine():\n"
            '    engine = create_async_engine("sqlite+aiosqlite:///:memory:")\n'
            "    async with engine.begin() as conn:\n"
            "        await conn.run_sync(Base.metadata.create_all)\n"
            "    yield engine\n    await engine.dispose()\n\n"
        )
        out.add(
            "@pytest_asyncio.fixture\nasync def session(engine):\n"
            "    factory = async_sessionmaker(engine, expire_on_commit=False)\n"
            "    async with factory() as session:\n        yield session\n\n"
        )
        out.add('@pytest.fixture\ndef anyio_backend():\n    return "asyncio"')
        return out.text()
    domain = next(d for d in plan.domains if stem.startswith(f"test_{d.name}_"))
    m = domain.entity
    out.add(f'"""Tests of {domain.name.replace("_", " ")}."""\n')
    out.add(
        "import pytest\nfrom sqlalchemy import select\n"
        "from sqlalchemy.ext.asyncio import AsyncSession\n"
    )
    out.add(f"from {m.module} import {m.cls}")
    imp, _, callexpr = _helper_call(rng, plan)
    out.add(imp)
    k = 0
    while out.wants_more():
        k += 1
        block = (
            f"\n\n@pytest.mark.asyncio\nasync def test_{m.name}_{k}(session: AsyncSession):\n"
            f"    rows = (await session.execute(select({m.cls}).limit(5))).scalars().all()\n"
            "    value = key = amount = rate = len(rows)\n    items, offset, limit = rows, 0, 5\n"
            f"    assert {callexpr} is not None or rows == []"
        )
        if not out.fits(block):
            break
        out.add(block)
    return out.text()


# ---------------------------------------------------------------------------------------------
# the fixed part: settings, engine, base, models


_CONFIG = '''"""Application settings, read from the environment and `.env`."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    app_name: str = "Acme backend"
    environment: str = "development"
    debug: bool = False
    database_url: str = Field(description="async SQLAlchemy URL of the application database")
    db_pool_size: int = 5
    db_echo: bool = False
    secret_key: str = "change-me"
    access_token_minutes: int = 30
    http_timeout: float = 10.0
    cors_origins: list[str] = ["http://localhost:3000"]
    redis_url: str = "redis://localhost:6379/0"
    storage_bucket: str = "acme-uploads"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    sentry_dsn: str | None = None
    default_page_size: int = 50
    max_page_size: int = 500


settings = Settings()


@lru_cache
def get_settings() -> Settings:
    return settings


# everything below is read through `settings`; keep this module free of imports from app.*
# so that it can be imported first by every entry point (API, workers, CLI, tests).
'''

_BASE = '''"""The declarative base every model inherits from (one MetaData for the whole app)."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every ORM model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    def __repr__(self) -> str:
        ident = getattr(self, "id", None)
        return f"<{type(self).__name__} id={ident}>"


# The naming convention gives every constraint a stable name, which migrations need to drop
# or alter them later (SQLite batch mode included).
#
# Models live in app/models/, one module per aggregate; app/models/__init__.py imports them all
# so that Base.metadata is complete once `import app.models` has run.
#
# Keep this module free of model imports: every model module imports Base from here, and a
# model imported here would import this module back before Base exists.
'''

_MIXINS = '''"""Columns shared by most tables."""

from datetime import datetime

from sqlalchemy import DateTime, func
from sqlalchemy.orm import Mapped, mapped_column


class TimestampMixin:
    """created_at / updated_at, set by the database."""

    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), onupdate=func.now()
    )


class SoftDeleteMixin:
    """Rows are hidden, not deleted."""

    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


# A mixin adds columns, never a table: it is not a subclass of Base.
# Order matters in class statements: mixins first, then Base, so that the mixin's columns
# come first in the table as well.
'''

_SESSION = '''"""The async engine and session factory."""

from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from app.core.config import settings

engine = create_async_engine(
    settings.database_url,
    echo=settings.db_echo,
    pool_pre_ping=True,
)

SessionLocal = async_sessionmaker(engine, expire_on_commit=False, class_=AsyncSession)


async def get_session() -> AsyncIterator[AsyncSession]:
    """FastAPI dependency: one session per request, closed afterwards."""
    async with SessionLocal() as session:
        try:
            yield session
        except Exception:
            await session.rollback()
            raise


async def dispose() -> None:
    """Called on shutdown."""
    await engine.dispose()


# Workers and CLI commands use SessionLocal directly:
#
#     async with SessionLocal() as session:
#         ...
'''

_REPOSITORY = '''"""A generic repository over one model."""

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import Base

ModelT = TypeVar("ModelT", bound=Base)


class BaseRepository(Generic[ModelT]):
    model: type[ModelT]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, ident: Any) -> ModelT | None:
        return await self.session.get(self.model, ident)

    async def list(self, offset: int = 0, limit: int = 50) -> Sequence[ModelT]:
        stmt = select(self.model).offset(offset).limit(limit)
        return (await self.session.execute(stmt)).scalars().all()

    async def add(self, obj: ModelT) -> ModelT:
        self.session.add(obj)
        await self.session.flush()
        return obj

    async def delete(self, ident: Any) -> None:
        await self.session.execute(delete(self.model).where(self.model.id == ident))
'''

_SERVICE = '''"""The base of every domain service: a session and a logger."""

import logging

from sqlalchemy.ext.asyncio import AsyncSession


class BaseService:
    """Services get the request's session; they commit, repositories only flush."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.log = logging.getLogger(type(self).__module__)

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()

    async def refresh(self, obj: object) -> None:
        await self.session.refresh(obj)


# A service method is one use case: it loads what it needs through repositories, changes it,
# and commits once at the end. Never commit from a repository.
#
# Errors: raise the domain's exceptions (app/domains/<name>/exceptions.py); the API layer
# turns them into HTTP responses, workers log them and retry.
#
# Services may call other services (pass the same session); they never open a session
# of their own, except in background tasks, which use app.db.session.SessionLocal.
'''

_FIXED_FILES = [
    "app/__init__.py", "app/main.py", "app/core/__init__.py", "app/core/config.py",
    "app/core/service.py", "app/db/__init__.py", "app/db/base.py", "app/db/mixins.py",
    "app/db/session.py", "app/db/repository.py", "app/api/__init__.py", "app/api/router.py",
]  # fmt: skip


def _render_model(rng: random.Random, entities: list[Entity], e: Entity) -> str:
    lines = [
        f'"""The {e.name.replace("_", " ")} model."""',
        "",
        "from __future__ import annotations",
        "",
    ]
    lines += [
        "from datetime import datetime",
        "from decimal import Decimal",
        "from typing import TYPE_CHECKING",
        "",
    ]
    sa = ["ForeignKey", "Numeric", "String", "Text", "Boolean", "Integer", "Index"]
    if e.links:
        sa += ["Column", "Table"]
    lines.append(f"from sqlalchemy import {', '.join(sorted(sa))}")
    lines.append("from sqlalchemy.orm import Mapped, mapped_column, relationship")
    lines.append("")
    lines.append("from app.db.base import Base")
    lines.append("from app.db.mixins import TimestampMixin")
    related = [entities[i] for i in e.parents + e.children + e.links]
    if related:
        lines += ["", "if TYPE_CHECKING:"]
        for r in sorted({r.name: r for r in related}.values(), key=lambda r: r.name):
            lines.append(f"    from {r.module} import {r.cls}")
    for link in e.links:
        other = entities[link]
        lines += [
            "",
            "",
            f"{e.name}_{other.name}_links = Table(",
            f'    "{e.name}_{other.name}_links",',
            "    Base.metadata,",
            f'    Column("{e.name}_id", ForeignKey("{e.table}.id", ondelete="CASCADE"),'
            " primary_key=True),",
            f'    Column("{other.name}_id", ForeignKey("{other.table}.id", ondelete="CASCADE"),'
            " primary_key=True),",
            ")",
        ]
    lines += [
        "",
        "",
        f"class {e.cls}(TimestampMixin, Base):",
        f'    __tablename__ = "{e.table}"',
        "",
    ]
    lines.append("    id: Mapped[int] = mapped_column(primary_key=True)")
    columns = [
        ("name", "str", "String(200)"),
        ("slug", "str", "String(200), unique=True"),
        ("description", "str | None", "Text"),
        ("status", "str", 'String(32), default="active"'),
        ("amount", "Decimal", "Numeric(12, 2), default=0"),
        ("is_active", "bool", "Boolean, default=True"),
        ("position", "int", "Integer, default=0"),
        ("external_ref", "str | None", "String(64), index=True"),
        ("notes", "str | None", "Text"),
        ("email", "str | None", "String(320)"),
        ("code", "str", "String(32), unique=True"),
        ("priority", "int", "Integer, default=0"),
    ]
    for name, typ, spec in rng.sample(columns, rng.randint(3, 9)):
        lines.append(f"    {name}: Mapped[{typ}] = mapped_column({spec})")
    for p in e.parents:
        parent = entities[p]
        lines.append(
            f"    {parent.name}_id: Mapped[int] = mapped_column("
            f'ForeignKey("{parent.table}.id", ondelete="CASCADE"), index=True)'
        )
    lines.append("")
    for p in e.parents:
        parent = entities[p]
        lines.append(
            f'    {parent.name}: Mapped["{parent.cls}"] = relationship(back_populates="{e.table}")'
        )
    for c in e.children:
        child = entities[c]
        lines.append(
            f'    {child.table}: Mapped[list["{child.cls}"]] = relationship(\n'
            f'        back_populates="{e.name}", cascade="all, delete-orphan"\n    )'
        )
    for link in e.links:
        other = entities[link]
        lines.append(
            f'    {other.table}: Mapped[list["{other.cls}"]] = relationship('
            f"secondary={e.name}_{other.name}_links)"
        )
    if e.history:
        lines.append(
            f'    history: Mapped[list["{e.cls}History"]] = relationship(back_populates="{e.name}")'
        )
    lines += ["", f'    __table_args__ = (Index("ix_{e.table}_created", "created_at"),)']
    lines += ["", "    def __str__(self) -> str:", f'        return f"{e.cls} {{self.id}}"']
    if e.history:
        lines += [
            "",
            "",
            f"class {e.cls}History(Base):",
            f'    """Every change of a {e.name.replace("_", " ")}, appended by the service."""',
            "",
            f'    __tablename__ = "{e.name}_history"',
            "",
            "    id: Mapped[int] = mapped_column(primary_key=True)",
            f'    {e.name}_id: Mapped[int] = mapped_column(ForeignKey("{e.table}.id"), index=True)',
            "    changed_at: Mapped[datetime]",
            "    changes: Mapped[str] = mapped_column(Text)",
            "",
            f'    {e.name}: Mapped[{e.cls}] = relationship(back_populates="history")',
        ]
    while len(lines) < 30:
        lines += ["", f"# {rng.choice(_NOTES)}"]
    assert len(lines) <= 150, (e.name, len(lines))
    return "\n".join(lines) + "\n"


def _render_models_init(entities: list[Entity]) -> str:
    lines = ['"""Every model, imported so that Base.metadata knows every table."""', ""]
    lines.append("from app.db.base import Base")
    for e in entities:
        names = [e.cls] + ([f"{e.cls}History"] if e.history else [])
        lines.append(f"from {e.module} import {', '.join(names)}")
    exported = entities[: max(0, min(20, 145 - len(lines)))]  # stays within 150 lines up to
    lines += ["", "__all__ = [", '    "Base",']  # ~140 model modules; one import line each
    lines += [f'    "{e.cls}",' for e in exported]
    lines.append("]")
    return "\n".join(lines) + "\n"


def _render_main(domains: list[Domain]) -> str:
    return (
        '"""The ASGI application."""\n\nfrom contextlib import asynccontextmanager\n\n'
        "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\n"
        "from app.api.router import api_router\nfrom app.core.config import settings\n"
        "from app.db.session import dispose\n\n\n"
        "@asynccontextmanager\nasync def lifespan(_: FastAPI):\n"
        "    yield\n    await dispose()\n\n\n"
        "app = FastAPI(title=settings.app_name, debug=settings.debug, lifespan=lifespan)\n"
        "app.add_middleware(\n    CORSMiddleware,\n    allow_origins=settings.cors_origins,\n"
        '    allow_methods=["*"],\n    allow_headers=["*"],\n)\n'
        'app.include_router(api_router, prefix="/api/v1")\n\n\n@app.get("/health")\n'
        'async def health() -> dict[str, str]:\n    return {"status": "ok"}\n\n\n'
        "# Run with: uvicorn app.main:app --reload\n#\n"
        "# Migrations: alembic upgrade head (before starting the app).\n"
    )


def _render_api_router(domains: list[Domain]) -> str:
    routed = [d for d in domains if "router" in d.files]
    lines = [
        '"""Every domain router, mounted under /api/v1."""',
        "",
        "from fastapi import APIRouter",
        "",
    ]
    lines += [
        f"from app.domains.{d.name}.router import router as {d.name}_router" for d in routed[:120]
    ]
    lines += ["", "api_router = APIRouter()"]
    lines += [f"api_router.include_router({d.name}_router)" for d in routed[:120]]
    lines = lines[:150]
    while len(lines) < 30:
        lines.append("")
    return "\n".join(lines) + "\n"


def make_tree(
    target: Path, modules: int = 2000, model_modules: int = 100, *, seed: int = 8
) -> Path:
    """Write the project into `target` (created; must not exist or be empty) and return it."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} is not empty")
    plan, _ = _plan(modules, model_modules, seed)
    rng = plan.rng
    _write(
        target / "pyproject.toml",
        (
            '[project]\nname = "acme-backend"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
            'dependencies = [\n    "fastapi>=0.110",\n    "uvicorn>=0.29",\n'
            '    "sqlalchemy[asyncio]>=2.0",\n    "aiosqlite>=0.20",\n'
            '    "pydantic-settings>=2.0",\n]\n'
        ),
    )
    _write(
        target / ".env",
        "DATABASE_URL=sqlite+aiosqlite:///./app.db\nENVIRONMENT=development\n"
        "SECRET_KEY=dev-only-secret\n",
    )
    _write(target / ".env.example", "DATABASE_URL=sqlite+aiosqlite:///./app.db\nSECRET_KEY=\n")
    _write(target / "README.md", "# Acme backend\n\nGenerated by alembic-wizard's benchmarks.\n")
    app = target / "app"
    for path, text in [
        ("app/__init__.py", _render_package_init(rng, "The Acme backend.")),
        ("app/main.py", _render_main(plan.domains)),
        (
            "app/core/__init__.py",
            _render_package_init(rng, "Configuration and cross-cutting code."),
        ),
        ("app/core/config.py", _CONFIG),
        ("app/core/service.py", _SERVICE),
        ("app/db/__init__.py", _render_package_init(rng, "Database plumbing.")),
        ("app/db/base.py", _BASE),
        ("app/db/mixins.py", _MIXINS),
        ("app/db/session.py", _SESSION),
        ("app/db/repository.py", _REPOSITORY),
        ("app/api/__init__.py", _render_package_init(rng, "The HTTP API.")),
        ("app/api/router.py", _render_api_router(plan.domains)),
    ]:
        _write(target / path, text)
    _write(app / "models/__init__.py", _render_models_init(plan.entities))
    for e in plan.entities:
        _write(app / "models" / f"{e.name}.py", _render_model(rng, plan.entities, e))
    _write(app / "domains/__init__.py", _render_package_init(rng, "One package per domain."))
    _write(app / "utils/__init__.py", _render_package_init(rng, "Pure helpers, no I/O."))
    for group in HELPER_GROUPS:
        _write(
            app / "utils" / group / "__init__.py",
            _render_package_init(rng, f"{group.capitalize()} helpers."),
        )
    for helper in plan.helpers:
        _write(target / (helper.module.replace(".", "/") + ".py"), _render_helper(plan, helper))
    for domain in plan.domains:
        folder = app / "domains" / domain.name
        for stem, kind in sorted(domain.files.items()):
            if kind == "sa":
                text = _render_sa(plan, domain, stem)
            elif kind == "settings":
                text = _render_settings_user(plan, domain, stem)
            elif kind == "schemas":
                text = _render_schemas(plan, domain, stem)
            else:
                text = _render_plain(plan, domain, stem)
            _write(folder / f"{stem}.py", text)
        _write(folder / "__init__.py", _render_domain_init(plan, domain))
    _write(target / "tests/__init__.py", _render_package_init(rng, "The test suite."))
    for stem in plan.tests:
        _write(target / "tests" / f"{stem}.py", _render_test(plan, stem))
    written = sum(1 for _ in target.rglob("*.py"))
    assert written == modules, (written, modules)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to create (must not exist or be empty)")
    parser.add_argument("--modules", type=int, default=2000)
    parser.add_argument("--model-modules", type=int, default=100)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    args = parser.parse_args()
    if args.force and args.out.exists():
        shutil.rmtree(args.out)
    top = make_tree(args.out, args.modules, args.model_modules, seed=args.seed)
    print(f"wrote {args.modules} modules ({args.model_modules} model modules) to {top}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
