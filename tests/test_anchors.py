"""The literal prefilter of nlp.anchors is an optimisation only: every wrapped pattern answers
as the bare regex does, on the corpus and on texts built to reach its edges."""
import re

import pytest

from lexpert.nlp.anchors import Anchored, literal_anchors, necessary_sets


def _wrapped():
    from lexpert.detect.services.lexicon import lexicon
    from lexpert.structure import parser, units

    out = [(f"units.{n}", p) for n, p in vars(units).items() if isinstance(p, Anchored)]
    out += [(f"parser.{n}", p) for n, p in vars(parser).items() if isinstance(p, Anchored)]
    for lang in ("ru", "kk"):
        L = lexicon(lang)
        out += [(f"services.{lang}.objects", p) for p, _ in L.objects]
        out += [(f"services.{lang}.not_service", p) for p in L.not_service]
        out += [(f"services.{lang}.agreement", L.agreement)] + [(f"services.{lang}.named", p) for p in L.named_services]
    return out


def _wrapped_detect():
    """The detection side's wrapped patterns: the act-context checks, the state-held lexicon, the
    rule layer's counter-patterns and co-requirements."""
    from lexpert.detect import context, stateheld
    from lexpert.detect.rules import ruleset

    out = [(f"context.{n}", p) for n, p in vars(context).items() if isinstance(p, Anchored)]
    for lang in ("ru", "kk"):
        L = stateheld.lexicon(lang)
        out += [(f"stateheld.{lang}.{f}", getattr(L, f)) for f in ("prefilter", "demand", "list_item", "exempt",
                                                                   "exempt_clause", "foreign")]
        out += [(f"stateheld.{lang}.{d.id}", d.pattern) for d in L.documents]
        out += [(f"rules.{lang}.{r.id}", u) for r in ruleset(lang).rules
                for u in r.unless + r.requires + r.context_requires]
    assert all(isinstance(p, Anchored) for _, p in out)
    return out


def _texts():
    from lexpert.nlp.normalize import normalize
    from lexpert.structure import parse
    from lexpert.structure.units import contexts
    from lexpert.training import corpora

    texts = [r["text"] for r in corpora.load_norms("train")[::2]] + [r.get("context") or "" for r in corpora.load_norms("dev")]
    for d in corpora.documents()[::8]:           # every unit of an eighth of the corpus documents, forms and tables too
        text = normalize(d.path.read_text(encoding="utf-8"))
        for act in parse(text, units=False).children:
            texts += [t for _, t, _ in contexts(act, text)]
    # the edges: the literals in odd cases and in re's extra case pairs, blanks, dots
    for d in corpora.documents()[1::16]:         # and the lines of others
        texts += d.path.read_text(encoding="utf-8").split("\n")
    texts += ["ВЫ", "Вы", "вы", "ᲀы", "Ᲊы", "ПРОШУ", "прошᲅ", "Я, нижеподписавшийся", "СОГЛАСОВАНИЮ)",
              "(по согласованию);", "____", "___", "........", ".......", "………", "……", "Cтр. ..... 12",
              "İ", "ı", "Нысан", "НЫСАН", "1-қосымша", "ҚОСЫМША", "", " ", "мен (біз)", "МЕН (БІЗ)", "| a |", "a | b", "|",
              "в следующей редакции:", "в следующей редакции: ", "ПОСТАНОВЛЯЕТ:", "БҰЙЫРАМЫН:", "1-ҚОСЫМША"]
    return texts


@pytest.fixture(scope="module")
def texts():
    return _texts()


def test_every_wrapped_pattern_answers_as_its_regex(texts):
    wrapped = _wrapped()
    assert len(wrapped) > 40 and all(p.anchors for _, p in wrapped if "services" in _)
    checked = 0
    for name, p in wrapped:
        raw = p.regex
        for t in texts:
            for lo in (t, t.upper()):
                a, b = p.search(lo), raw.search(lo)
                assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), (name, lo)
                a, b = p.match(lo), raw.match(lo)
                assert (a and a.span()) == (b and b.span()), (name, lo)
                assert p.findall(lo) == raw.findall(lo), (name, lo)
                assert p.sub(" ", lo) == raw.sub(" ", lo), (name, lo)
                checked += 1
    assert checked > 100_000
    detect = _wrapped_detect()
    assert len(detect) > 150
    for name, p in detect:
        raw = p.regex
        for t in texts[::2]:
            for lo in (t, t.upper()):
                a, b = p.search(lo), raw.search(lo)
                assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), (name, lo)
                a, b = p.match(lo), raw.match(lo)
                assert (a and a.span()) == (b and b.span()), (name, lo)
                assert [m.span() for m in p.finditer(lo)] == [m.span() for m in raw.finditer(lo)], (name, lo)
    p = _wrapped()[0][1]
    assert [m.span() for m in p.finditer("x " + texts[-3])] == [m.span() for m in p.regex.finditer("x " + texts[-3])]


def test_extra_case_letters_still_run_the_regex():
    """re.IGNORECASE equates «ᲀ» with «в» although str.lower does not: such a text is not skipped."""
    p = Anchored(re.compile(r"вправе", re.I))
    assert p.anchors == ("вправе",)
    odd = "ᲀправе"
    assert re.search(r"вправе", odd, re.I)                   # what the prefilter must not hide
    assert p.search(odd) is not None and p.search("может") is None
    i = Anchored(re.compile(r"\bprint\b", re.I))
    assert i.search("PRİNT") is not None and i.search("prınt") is not None


def test_explicit_anchors_and_positional_arguments():
    blank = Anchored(re.compile(r"_{4,}"), ("____",))
    assert blank.search("a ___ b") is None and blank.search("a ____ b").span() == (2, 6)
    assert blank.search("____ x ____", 1).span() == (7, 11)        # pos: the bare regex answers
    assert blank.pattern == r"_{4,}" and blank.flags == re.compile(r"_{4,}").flags
    verbose = Anchored(re.compile(r"по \s+ согласованию", re.X | re.I))   # its spaces are not literals
    assert verbose.dnf is None and verbose.search("по согласованию") is not None


def test_necessary_sets():
    assert literal_anchors(r"в\s+исключительных\s+случаях|в\s+особых\s+случаях") == ("исключительных", "случаях")
    assert literal_anchors(r"\bи\s+т\.\s?(?:п|д)") is None
    sets = necessary_sets(r"(?:справк\w+|заключени\w+)\s+\w+\s+(?:акимат\w*|министерств\w*)")
    assert frozenset({"справк", "заключени"}) in sets and frozenset({"акимат", "министерств"}) in sets
    assert necessary_sets(r"\d+") == []


def test_literal_dnf_needs_every_literal_of_one_branch():
    from lexpert.nlp.anchors import dnf_holds, literal_dnf

    dnf = literal_dnf(r"\bкелісім\s+беремін\b|\bпрошу\b")
    assert dnf == [[frozenset({"келісім"}), frozenset({"беремін"})], [frozenset({"прошу"})]]
    assert not dnf_holds(dnf, "келісім бойынша") and dnf_holds(dnf, "келісім беремін") and dnf_holds(dnf, "прошу")
    assert literal_dnf(r"(?:вправе|\d+)") is None                # a branch with no literal: no test
    assert literal_dnf(r"отказ\w*\s+в\s+(?:выдаче|приеме)") == [[frozenset({"отказ"}), frozenset({"выдаче", "приеме"})]]
    p = Anchored(re.compile(r"\bкелісім\s+беремін\b|\bпрошу\b", re.I))
    assert p.search("келісім бойынша") is None and p.search("КЕЛІСІМ БЕРЕМІН").span() == (0, 15)


def test_compiled_dnf_is_dnf_holds():
    from lexpert.nlp.anchors import compile_dnf, dnf_holds, literal_dnf

    dnf = literal_dnf(r"\bкелісім\s+беремін\b|\bпрошу\b|a'b\\\\c|\"q\"")
    f = compile_dnf(dnf)
    for t in ("келісім беремін", "келісім", "прошу", "a'b\\c", '"q"', "", "беремін"):
        assert f(t) == dnf_holds(dnf, t), t
