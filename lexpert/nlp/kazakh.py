"""Kazakh for spaCy: a registered ``Language`` subclass, tokenizer exceptions, stop words,
and a light suffix-stripping stemmer good enough for matching lexicon cues.

spaCy ships no Kazakh; ``spacy.blank("kk")`` works once this module is imported (and,
through the ``spacy_languages`` entry point, in any program with lexpert installed).
"""
from __future__ import annotations

from functools import lru_cache

from spacy.lang.tokenizer_exceptions import BASE_EXCEPTIONS
from spacy.language import BaseDefaults, Language
from spacy.symbols import NORM, ORTH
from spacy.util import registry, update_exc

STOP_WORDS = set(
    """
    және мен бен пен да де та те ал бірақ немесе не әлде яғни сондай-ақ сондықтан себебі өйткені
    егер онда осы сол бұл ол олар біз сіз мұнда сонда бар жоқ үшін туралы бойынша арқылы дейін
    кейін бастап соң қарай сияқты секілді ғана тек әр барлық бәрі кейбір көп аз өте ең тағы әрі
    еді екен болып болса болады болған бола болу емес ма ме ба бе па пе ғой қой шейін
    оның олардың осының соның мұның ретінде жөніндегі жөнінде қатысты сәйкес тиіс
    """.split()
)

_ABBREV = [
    "ҚР", "т.б.", "т.с.с.", "б.а.", "ж.", "жж.", "мыс.", "бұр.", "ғ.", "млн.", "млрд.", "мың.",
    "көш.", "үй.", "пәт.", "қ.", "обл.", "ауд.", "с.", "тарм.", "тармақш.", "бап.", "№",
]
TOKENIZER_EXCEPTIONS = update_exc(
    BASE_EXCEPTIONS,
    {a: [{ORTH: a, NORM: a.lower()}] for a in _ABBREV} | {a.capitalize(): [{ORTH: a.capitalize()}] for a in _ABBREV if a.islower()},
)


class KazakhDefaults(BaseDefaults):
    tokenizer_exceptions = TOKENIZER_EXCEPTIONS
    stop_words = STOP_WORDS


@registry.languages("kk")
class Kazakh(Language):
    lang = "kk"
    Defaults = KazakhDefaults


# --------------------------------------------------------------- stemmer
# Case, possessive, plural and common verbal endings, longest first. Stripped
# repeatedly while the stem keeps at least MIN_STEM letters: «құқылы» -> «құқыл»,
# «органдардың» -> «орган», «келісімін» -> «келісім».
_SUFFIXES = sorted(set("""
    лардың лердің дардың дердің тардың тердің ларының лерінің дарының дерінің тарының терінің
    лардан лерден дардан дерден тардан терден ларға лерге дарға дерге тарға терге
    ларда лерде дарда дерде тарда терде ларды лерді дарды дерді тарды терді
    лары лері дары дері тары тері лар лер дар дер тар тер
    ының інің нің ның дың дің тың тің ының
    ынан інен нан нен дан ден тан тен
    ына іне ға ге қа ке на не
    ында інде нда нде да де та те
    ын ін ны ні ды ді ты ті
    мен бен пен
    ымен імен
    сы сі ы і
    ған ген қан кен
    атын етін йтын йтін
    уға уге уі уы у
    ылады іледі лады леді
    ады еді йды йді
    ды ді
""".split()), key=len, reverse=True)
MIN_STEM = 4


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A crude Kazakh stem (lowercased) for lexicon matching; not a morphological analysis."""
    w = word.lower()
    changed = True
    while changed:
        changed = False
        for suf in _SUFFIXES:
            if w.endswith(suf) and len(w) - len(suf) >= MIN_STEM:
                w = w[: -len(suf)]
                changed = True
                break
    return w
