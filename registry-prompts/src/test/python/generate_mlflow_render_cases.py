#!/usr/bin/env python3
"""Generates mlflow-render-cases.json: what MLflow's own Python client renders for a set of prompt templates.

The Java tests (MlflowRenderParityTest) read the committed JSON, so CI needs neither Python nor MLflow.
Regenerate with a Python that can import mlflow (MLflow 3.1.3 was used):

    python registry-prompts/src/test/python/generate_mlflow_render_cases.py \
        > registry-prompts/src/test/resources/mlflow-render-cases.json

Three tables:
- "mlflow": templates in MLflow's {{ name }} syntax, rendered by mlflow's PromptVersion.format (what
  mlflow.genai.load_prompt(...).format(...) runs), or the variables it reports missing. Cases whose values
  contain a backslash are marked "divergence": MLflow 3.1.3 passes each value to re.sub as a replacement
  template, so Python rewrites "\\n" into a newline or fails on "\\d"; "literal" is the value inserted as
  given, which is what Java renders.
- "twins": a Python str.format template, the {{ }} form Java must convert it to, and the text both
  str.format and MLflow render (the generator checks they agree).
- "unrenderable": Python str.format templates MLflow cannot render; "mlflow_output" is what MLflow's format
  returns for them (mostly the template, untouched: the silent failure Java refuses on an MLflow store), or
  "mlflow_error" when it fails.

Values are encoded with their type: {"int": "3"}, {"float": "0.1"}, {"decimal": "1.50"}, {"str": "x"},
{"bool": true}, {"none": null}, {"list": [...]}, {"dict": {...}}.
"""
import decimal
import json
import re
import sys

from mlflow.entities.model_registry.prompt_version import PromptVersion
from mlflow.prompt.constants import PROMPT_TEMPLATE_VARIABLE_PATTERN

I = lambda v: {"int": str(v)}
F = lambda v: {"float": repr(float(v))}
D = lambda v: {"decimal": v}
S = lambda v: {"str": v}
B = lambda v: {"bool": v}
N = {"none": None}
L = lambda *v: {"list": list(v)}
M = lambda **v: {"dict": v}


def decode(v):
    (kind, x), = v.items()
    return {
        "int": lambda: int(x),
        "float": lambda: float(x),
        "decimal": lambda: decimal.Decimal(x),
        "str": lambda: x,
        "bool": lambda: x,
        "none": lambda: None,
        "list": lambda: [decode(i) for i in x],
        "dict": lambda: {k: decode(i) for k, i in x.items()},
    }[kind]()


def mlflow_format(template, kwargs):
    return PromptVersion("parity", 1, template).format(**kwargs)


def literal_format(template, kwargs):
    """MLflow's substitution with each value inserted as given (no re.sub template processing)."""
    for key, value in kwargs.items():
        template = re.sub(r"\{\{\s*" + key + r"\s*\}\}", lambda _m, v=value: str(v), template)
    return template


MLFLOW = []


def mlflow_case(template, **kwargs):
    MLFLOW.append((template, kwargs))


mlflow_case("Hi {{user}}", user=S("Ada"))
mlflow_case("Hi {{ user }}, {{user}} again, {{  user  }}!", user=S("Ada"))
mlflow_case("Dear {{ user.name }}", **{"user.name": S("Ada")})
mlflow_case("{{ 1x }} {{x {{ a-b }} {{}} {{ }} and {{ name }}", name=S("Ada"))
mlflow_case("{{ name", name=S("Ada"))
mlflow_case("{{\tname\n}} {{\u00a0name\u2003}} {{\x1cname\x1f}} {{\u3000name}}", name=S("Ada"))
mlflow_case("{{\u200bname}} stays", name=S("Ada"))
mlflow_case("{{{ name }}} and {{ name }}}}", name=S("Ada"))
mlflow_case('Answer as JSON: {"count": {{ n }}, "tags": [{{ tags }}]}', n=I(3), tags=L(S("a"), I(1)))
mlflow_case("Grüße, {{ name }} \U0001F44B\nzweite Zeile {{ name }}", name=S("Jürgen"))
mlflow_case("{{ i }} {{ f }} {{ g }} {{ big }} {{ small }} {{ t }} {{ none }} {{ d }} {{ nan }} {{ inf }}",
            i=I(-7), f=F(0.1), g=F(2.0), big=F(1e16), small=F(1.5e-7), t=B(True), none=N, d=D("1.50"),
            nan=F("nan"), inf=F("-inf"))
mlflow_case("{{ xs }} {{ m }}", xs=L(I(1), S("a"), N, B(False)), m=M(a=I(1), b=S("it's")))
mlflow_case("{{ a }} and {{ b }}", a=S("x"))
mlflow_case("{{ a }} {{ b.c }}", b=S("x"))
mlflow_case("only text, no variables", extra=S("ignored"))
mlflow_case("{{ a }}", a=S("x"), unused=S("y"))
mlflow_case("{{ v }}", v=S("$1 & 100% {not a var} {{ nor this"))
mlflow_case("{{_private}} {{ A1.b_2 }}", _private=S("p"), **{"A1.b_2": S("q")})
mlflow_case("{{ path }}", path=S("C:\\new\\table"))
mlflow_case("{{ path }}", path=S("C:\\data"))

TWINS = [
    # (str.format template, its {{ }} form, values)
    ("Hello {name}!", "Hello {{ name }}!", dict(name=S("Ada"))),
    ("Hello {name}, welcome to {place}!", "Hello {{ name }}, welcome to {{ place }}!",
     dict(name=S("Ada"), place=S("Lovelace Hall"))),
    ("{a}{b}{a}", "{{ a }}{{ b }}{{ a }}", dict(a=I(1), b=F(0.5))),
    ("Set {{ literally }} and {x}", "Set { literally } and {{ x }}", dict(x=S("y"))),
    ("{{{name}}}", "{{{ name }}}", dict(name=S("Ada"))),
    ('JSON: {{"k": {v}}}', 'JSON: {"k": {{ v }}}', dict(v=I(3))),
    ("{flag} {nothing} {xs}", "{{ flag }} {{ nothing }} {{ xs }}", dict(flag=B(False), nothing=N, xs=L(I(1)))),
    ("line one {a}\nline two {b}", "line one {{ a }}\nline two {{ b }}", dict(a=S("1"), b=S("2"))),
]

UNRENDERABLE = [
    ("Hello {name}, you have {n:d} new {kind}!", dict(name=S("Ada"), n=I(3), kind=S("mails"))),
    ("Total {price:.2f}", dict(price=F(3.14159))),
    ("Debug {value!r}", dict(value=S("x"))),
    ("First {items[0]}", dict(items=L(S("a")))),
    ("Key {config[mode]}", dict(config=M(mode=S("fast")))),
    ("Hello {}!", dict()),
    ("Hello {0}!", dict()),
    ("Hi {prénom}", {"prénom": S("Zoé")}),
    ("Show {{{{ raw }}}} and {x}", dict(x=S("y"))),
]


def run_mlflow(template, kwargs):
    named = {k: decode(v) for k, v in kwargs.items()}
    entry = {"template": template, "kwargs": kwargs}
    try:
        entry["output"] = mlflow_format(template, named)
    except Exception as e:  # noqa: BLE001 - a missing variable is part of the table
        missing = sorted(set(PROMPT_TEMPLATE_VARIABLE_PATTERN.findall(template)) - set(named))
        if missing:
            entry["missing"] = missing
        else:
            entry["error"] = type(e).__name__ + ": " + str(e)
    if any("\\" in str(v) for v in named.values()):
        entry["divergence"] = True
        entry["literal"] = literal_format(template, named)
    return entry


def run_twin(python_format, mlflow_form, kwargs):
    named = {k: decode(v) for k, v in kwargs.items()}
    by_python = python_format.format(**named)
    by_mlflow = mlflow_format(mlflow_form, named)
    if by_python != by_mlflow:
        raise SystemExit(f"twin disagrees: {python_format!r} -> {by_python!r}, {mlflow_form!r} -> {by_mlflow!r}")
    return {"python_format": python_format, "mlflow": mlflow_form, "kwargs": kwargs, "output": by_python}


def run_unrenderable(template, kwargs):
    named = {k: decode(v) for k, v in kwargs.items()}
    entry = {"template": template, "kwargs": kwargs}
    try:
        entry["mlflow_output"] = mlflow_format(template, named)
    except Exception as e:  # noqa: BLE001 - what MLflow says is the point
        entry["mlflow_error"] = str(e)
    return entry


import mlflow  # noqa: E402 - only for the version stamp

json.dump({
    "generated_by": "MLflow " + mlflow.__version__ + ", Python " + sys.version.split()[0],
    "mlflow": [run_mlflow(t, k) for t, k in MLFLOW],
    "twins": [run_twin(p, m, k) for p, m, k in TWINS],
    "unrenderable": [run_unrenderable(t, k) for t, k in UNRENDERABLE],
}, sys.stdout, indent=1, ensure_ascii=False)
sys.stdout.write("\n")
