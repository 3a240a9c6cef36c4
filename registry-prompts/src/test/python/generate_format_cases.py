#!/usr/bin/env python3
"""Generates format-cases.json: templates, values and what CPython's str.format makes of them.

The Java tests read the committed JSON, so CI needs no Python. Regenerate after adding cases:

    python3 registry-prompts/src/test/python/generate_format_cases.py > registry-prompts/src/test/resources/format-cases.json

Values are encoded with their type so Java can build the matching Java value:
{"int": "12"}, {"float": "1.5"} ("nan", "inf", "-inf", "-0.0"), {"decimal": "1.10"}, {"str": "x"},
{"bool": true}, {"none": null}, {"list": [...]}, {"dict": {...}}, {"date": "2024-01-15"},
{"datetime": "2024-01-15T10:30:00"} (optionally with microseconds).
"""
import datetime
import decimal
import json
import sys

I = lambda v: {"int": str(v)}
F = lambda v: {"float": repr(float(v)) if not isinstance(v, str) else v}
D = lambda v: {"decimal": v}
S = lambda v: {"str": v}
B = lambda v: {"bool": v}
N = {"none": None}
L = lambda *v: {"list": list(v)}
M = lambda **v: {"dict": v}
DATE = lambda v: {"date": v}
DT = lambda v: {"datetime": v}


def decode(v):
    (kind, x), = v.items()
    if kind == "int":
        return int(x)
    if kind == "float":
        return float(x)
    if kind == "decimal":
        return decimal.Decimal(x)
    if kind == "str":
        return x
    if kind == "bool":
        return x
    if kind == "none":
        return None
    if kind == "list":
        return [decode(i) for i in x]
    if kind == "dict":
        return {k: decode(i) for k, i in x.items()}
    if kind == "date":
        return datetime.date.fromisoformat(x)
    if kind == "datetime":
        return datetime.datetime.fromisoformat(x)
    raise ValueError(kind)


CASES = []


def case(template, *args, **kwargs):
    CASES.append((template, list(args), kwargs))


# --- fields, numbering, escapes
case("Hello, {name}!", name=S("Ada"))
case("{} and {}", S("a"), S("b"))
case("{1} {0} {1}", S("a"), S("b"))
case("{0}{0}", I(7))
case("{{literal}} {x}", x=I(1))
case("}} {{ {x} }}", x=S("y"))
case("no fields at all")
case("")
case("{} {1}", S("a"), S("b"))
case("{0} {}", S("a"), S("b"))
case("{missing}")
case("{2}", S("a"))
case("{")
case("}")
case("{x")
case("{x!}", x=S("a"))
case("{x!q}", x=S("a"))
case("{x!r:>10}", x=S("a"))
case("{x.y}", x=M(y=I(1)))
case("{x[k]}", x=M(k=S("v")))
case("{x[0]}", x=L(S("first"), S("second")))
case("{x[1]}", x=L(S("first"), S("second")))
case("{x[5]}", x=L(S("first")))
case("{x[0][k]}", x=L(M(k=I(3))))
case("{0[1]}", L(I(1), I(2)))
case("{x:{w}}", x=S("ab"), w=I(6))
case("{x:{f}{a}{w}}", x=I(42), f=S("*"), a=S("^"), w=I(9))
case("{x:>{w}.{p}f}", x=F(3.14159), w=I(10), p=I(3))
case("{:{}}", S("ab"), I(5))
case("{x:}", x=S("plain"))
# --- conversions and reprs
case("{x!r}", x=S("it's"))
case("{x!r}", x=S('say "hi"'))
case("{x!r}", x=S("both ' and \""))
case("{x!r}", x=S("tab\tnew\nline\\back"))
case("{x!r}", x=S("caf\u00e9 \u20ac \U0001f600"))
case("{x!a}", x=S("caf\u00e9 \u20ac \U0001f600"))
case("{x!r}", x=S("\x00\x07\x7f"))
case("{x!s}", x=I(5))
case("{x!r}", x=I(-5))
case("{x!r}", x=F(0.1))
case("{x!r}", x=B(True))
case("{x!r}", x=N)
case("{x}", x=N)
case("{x!r}", x=L(I(1), S("a"), N, B(False), F(2.5)))
case("{x}", x=L(I(1), S("a")))
case("{x}", x=M(a=I(1), b=S("two")))
case("{x!r}", x=M(k=L(I(1))))
case("{x}", x=D("1.10"))
case("{x!r}", x=D("1.10"))
case("{x!s:>8}", x=F(1.5))
# --- strings
for spec in ["", "<8", ">8", "^8", "^7", "*^9", "-<6", ".2", "8.3", "<", "0>5", "05", "s", "x<4s"]:
    case("{x:" + spec + "}", x=S("abcde"))
case("{x:d}", x=S("abc"))
case("{x:+}", x=S("abc"))
case("{x:,}", x=S("abc"))
# --- integers
for spec in ["", "d", "5d", "<5", "^5", "=5", "+d", " d", "-d", "05", "+06", "x", "X", "#x", "#X", "o", "#o",
             "b", "#b", "08b", "#010b", ",", "_", "_x", "_b", ",d", "10,", "010,", "e", ".2e", "f", ".3f", "%",
             "g", "c", "n", "+,", " 5", "*^+9", "#_o", ".0f", "E", "G", "F"]:
    case("{x:" + spec + "}", x=I(1234567))
for spec in ["", "d", "+d", "05", "x", "#x", "b", ",", "=+8", "c"]:
    case("{x:" + spec + "}", x=I(-255))
case("{x:c}", x=I(65))
case("{x:c}", x=I(233))
case("{x:d}", x=I(0))
case("{x:,}", x=I(123))
case("{x:,}", x=I(12345678901234567890123))
case("{x:x}", x=I(2 ** 70))
case("{x:.2}", x=I(5))
case("{x:s}", x=I(5))
case("{x:z}", x=I(5))
# --- floats
for v in [3.14159, -2.5, 0.0, -0.0, 1e16, 1.5e-7, 123456.789, 0.1, 2.675, 1.0, 100.0, 1e22, 5e-324,
          1.7976931348623157e308, 0.5, 1.5, 2.5, 12345.6789, -0.00001]:
    for spec in ["", "f", ".2f", "e", ".3e", "g", ".3g", "%", ".1%", ",.2f", "+.1f", "10.3f", "<10.2f", "^12.1e",
                 "010.2f", "#.0f", "#g", "G", "E", "F", "n", ".0e", ".0g", "_.3f", "z.1f", ".10g", ".17g", "=+12.3f"]:
        case("{x:" + spec + "}", x=F(v))
for special in ["nan", "inf", "-inf"]:
    for spec in ["", "f", "e", "g", "%", "F", "E", "G", "+", "08.2f", "^9"]:
        case("{x:" + spec + "}", x=F(special))
case("{x}", x=F(1e-5))
case("{x}", x=F(123456789012345678.0))
case("{x}", x=F(1e-4))
case("{x:.3}", x=F(1234.5))
case("{x:.5}", x=F(0.0001234))
case("{x:10}", x=F(3.5))
case("{x:d}", x=F(3.5))
case("{x:x}", x=F(3.5))
case("{x:c}", x=F(3.5))
case("{x:z}", x=F(-0.0001))
case("{x:z.2f}", x=F(-0.0001))
case("{x:,}", x=F(1234567.891))
case("{x:_}", x=F(1234567.891))
# --- booleans
for spec in ["", "d", ">6", "x", ".1f", "s"]:
    case("{x:" + spec + "}", x=B(True))
case("{x}", x=B(False))
# --- None
case("{x:>6}", x=N)
case("{x!s:>6}", x=N)
# --- Decimal
for v in ["1.10", "-3.14159", "0", "1E+3", "123456.789", "0.000001", "0.0000001", "2.675", "-0", "100"]:
    for spec in ["", "f", ".2f", "e", ".2e", "g", ".3g", "%", ",", ">10", "+.1f", ".0f"]:
        case("{x:" + spec + "}", x=D(v))
# --- dates and times
case("{x}", x=DATE("2024-01-05"))
case("{x}", x=DT("2024-01-05T09:07:03"))
case("{x}", x=DT("2024-01-05T09:07:03.120000"))
for spec in ["%Y-%m-%d", "%d/%m/%y", "%H:%M:%S", "%I:%M %p", "%Y-%m-%dT%H:%M:%S.%f", "%j", "%a %A %b %B",
             "%%Y is %Y", "week %U %W", "%w", "%y%m%d-%H%M", "", "%e"]:
    case("{x:" + spec + "}", x=DT("2024-03-09T15:04:05.000600"))
case("{x:%A, %d %B %Y}", x=DATE("2024-12-25"))
case("{x:%H}", x=DATE("2024-12-25"))
# --- attribute and index chains on dicts (Python: a dict has no attributes)
case("{user[name]} is {user[age]}", user=M(name=S("Ada"), age=I(36)))
case("{user.name}", user=M(name=S("Ada")))
case("{x[a][b]}", x=M(a=M(b=S("deep"))))
case("{x[-1]}", x=L(S("a")))


def run(template, args, kwargs):
    values = [decode(a) for a in args]
    named = {k: decode(v) for k, v in kwargs.items()}
    try:
        return {"output": template.format(*values, **named)}
    except Exception as e:  # noqa: BLE001 - every error class is part of the table
        return {"error": type(e).__name__, "message": str(e)}


out = []
for template, args, kwargs in CASES:
    entry = {"template": template}
    if args:
        entry["args"] = args
    if kwargs:
        entry["kwargs"] = kwargs
    entry.update(run(template, args, kwargs))
    out.append(entry)
json.dump({"python": sys.version.split()[0], "cases": out}, sys.stdout, indent=1, ensure_ascii=False)
sys.stdout.write("\n")
