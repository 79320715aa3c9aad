"""Extraction of service-like obligations from a draft, in Russian and Kazakh.

A *service-like obligation* is a norm that makes a person or organisation obtain
something from a state body — an approval («согласование / келісу»), a permit, a
conclusion, a certificate («справка / анықтама»), a registration or inclusion in a
register, an accreditation, a confirmation. For each one the extractor reads the norm
*and its neighbours* (the lead-in of its list, the other points of its chapter that
speak of the same thing) and fills a :class:`ServiceObligation`: who must obtain what
from whom, on what documents, in what term, for what fee, with what result, and on what
grounds it may be refused.

The extractor is rule-based and explainable: every field records the locator of the
norm it was read from (``sources``). It sees only the structure the parser gives
(``Norm.path``: annex, chapter, point, subpoint) and the text.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from ...records import Norm

KIND_NAMES = {
    "ru": {"approval": "согласование", "permit": "разрешение", "conclusion": "заключение",
           "certificate": "справка", "confirmation": "подтверждение", "registration": "включение в реестр",
           "accreditation": "аккредитация"},
    "kk": {"approval": "келісім", "permit": "рұқсат", "conclusion": "қорытынды", "certificate": "анықтама",
           "confirmation": "растау", "registration": "тізілімге енгізу", "accreditation": "аккредиттеу"},
}


@dataclass
class ServiceObligation:
    """One service-like obligation: who must obtain what from whom, and on what terms."""

    norm_id: str
    locator: str
    lang: str
    kind: str                       # a key of KIND_NAMES[lang]
    object: str                     # what must be obtained, as the draft writes it
    provider: str | None            # from whom (the state body)
    obligor: str | None             # who must obtain it
    purpose: str | None = None      # for what («для участия в конкурсе»)
    documents: list[str] = field(default_factory=list)
    term: str | None = None         # «в течение десяти рабочих дней»; None: no term in the draft
    fee: str | None = None          # free | paid | None (the draft says nothing)
    result: str | None = None       # the result and its form («выдает согласование либо мотивированный отказ»)
    refusal: str = "none"           # closed | open | none: grounds for refusal in the draft
    refusal_grounds: list[str] = field(default_factory=list)
    named_service: bool = False     # the draft names it as a state service
    standard: bool = False          # a service standard / rules of rendering are referred to
    start: int = 0                  # evidence span in the normalized text
    end: int = 0
    evidence: str = ""
    text: str = ""                  # the norm's text
    sources: dict[str, str] = field(default_factory=dict)   # field -> locator it was read from
    mentions: list[str] = field(default_factory=list)        # other norms that speak of the same thing

    def missing(self) -> list[str]:
        """The elements of a state service the draft does not give: standard, term, fee,
        closed grounds for refusal."""
        out = []
        if not (self.named_service or self.standard):
            out.append("standard")
        if not self.term:
            out.append("term")
        if self.refusal != "closed":
            out.append("refusal_grounds")
        if not self.fee:
            out.append("fee")
        return out

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("text", None)
        d["missing"] = self.missing()
        return d


# ----------------------------------------------------------------------------- lexicon
_W = r"[\w\-]+"

RU_OBJECTS: list[tuple[str, str]] = [
    (r"письм\w*[-\s]согласовани\w*", "approval"),
    (r"лист\w*\s+согласовани\w*", "approval"),
    (r"согласовани\w*", "approval"),
    (r"(?<!\bне\s)согласи[еяю]\b", "approval"),
    (r"разрешени\w*", "permit"),
    (r"\bордер\w*", "permit"),
    (r"\bдопуск(?:а|у|ом|е)?\b", "permit"),
    (r"технически\w+\s+услови\w*", "permit"),
    (r"заключени\w*", "conclusion"),
    (r"рекомендаци\w*", "conclusion"),
    (r"справк\w*", "certificate"),
    (r"свидетельств\w*", "certificate"),
    (r"сертификат\w*", "certificate"),
    (r"подтверждени\w*", "confirmation"),
    (r"аккредитаци\w*", "accreditation"),
    (r"включени\w*\s+(?:\w+\s+){0,3}?в\s+(?:реестр|перечень|список)\w*", "registration"),
    (r"регистраци\w*", "registration"),
]
RU_PARTICIPLE = r"(?:согласованн\w*|выданн\w*|полученн\w*|подтвержденн\w*|заверенн\w*)"
RU_BODY = (
    r"(?:местн\w+\s+исполнительн\w+\s+орган\w*|уполномоченн\w+\s+орган\w*|отраслев\w+\s+государственн\w+\s+орган\w*|"
    r"государственн\w+\s+орган\w*|государственн\w+\s+учреждени\w*|территориальн\w+\s+(?:подразделени|орган|инспекци)\w*|"
    r"соответствующ\w+\s+орган\w*|акимат\w*|аппарат\w*\s+аким\w*|\bаким[аеуо]?\w*|управлени\w*|\bотдел\w*|департамент\w*|"
    r"бассейнов\w+\s+инспекци\w*|инспекци\w*|министерств\w*|\bкомитет\w*|подразделени\w*|"
    r"\bорган\w*\s+(?:внутренних\s+дел|казначейства|государственных\s+доходов|юстиции)|ветеринарн\w+\s+(?:пункт|станци)\w*|"
    r"полици\w*|ведомств\w*|\bслужб\w*|\bорган(?:а|ом|у|ов|ами)?\b)"
)
RU_OBTAIN = (
    r"(?:получа\w*|получ[иеи]\w*|представля\w*|представ[ил]\w*|прилага\w*|прилож\w*|оформля\w*|предъявля\w*|"
    r"при\s+наличии|до\s+получения|на\s+основании|по\s+согласованию|с\s+согласия|с\s+разрешения|по\s+разрешению|"
    r"допуска\w*|пода[её]т|подают|согласовыва\w*|согласу\w*|обязан\w*|должен|должны|необходимо|требуется)"
)
RU_DOCS_CTX = r"(?:прилага|прилож|представля|представ|пода[её]т|подают|прикладыва|документ|сведени)"
RU_NOT_SERVICE = [
    r"государственн\w+\s+услуг", r"стандарт\w*\s+(?:государственн|оказани)", r"реестр\w*\s+государственн\w+\s+услуг",
    r"информационн\w+\s+систем", r"межведомственн", r"\(по\s+согласию\)", r"медицинск\w+\s+(?:организаци|справк)",
    r"нотари", r"не\s+(?:истребу|требу)\w*", r"\bбанк\w*",
    # well-known registered services (M4: burden.requirements, not hidden_service) and the Law on permits
    r"налогов\w+\s+задолженност", r"судимост", r"орган\w*\s+государственных\s+доходов", r"административн\w+\s+штраф",
    r"о\s+разрешениях\s+и\s+уведомлениях", r"разрешительн\w+\s+орган", r"лицензи",
]
RU_FALSE_OBJECT = re.compile(
    r"заключени\w*\s+(?:\w+\s+){0,2}(?:договор|соглашени|контракт|сделк|брак)|разрешени\w*\s+(?:\w+\s+)?(?:спор|вопрос|разноглас)|"
    r"(?:государственн\w+|учетн\w+)\s+регистраци\w*\s+(?:настоящ|приказ|постановлени|решени|нормативн)|"
    r"регистраци\w*\s+(?:заявлени|заявк|обращени|документ|жалоб|в\s+журнал)|подтверждени\w*\s+(?:нуждаемост|соответстви|факт|статус)(?!\w*\s+\w+\s+аким)",
    re.I)
RU_COMMISSION = re.compile(r"комисси", re.I)

KK_OBJECTS: list[tuple[str, str]] = [
    (r"келісу\s+туралы\s+хат\w*", "approval"),
    (r"келісу\s+парағ\w*", "approval"),
    (r"келісім\w*", "approval"),
    (r"келісу\w*", "approval"),
    (r"келісілген", "approval"),
    (r"келіс(?:еді|іледі)", "approval"),
    (r"рұқсат\w*", "permit"),
    (r"\bордер\w*", "permit"),
    (r"техникалық\s+шарттар\w*", "permit"),
    (r"қорытынды(?:сы|сын|сымен|ны|ға|да)?\b", "conclusion"),
    (r"ұсыным\w*", "conclusion"),
    (r"анықтама\w*", "certificate"),
    (r"куәлі\w*", "certificate"),
    (r"сертификат\w*", "certificate"),
    (r"растаған|растау\w*", "confirmation"),
    (r"аккредиттеу\w*", "accreditation"),
    (r"(?:тізілімге|тізбеге|тізімге)\s+(?:\w+\s+)?енгізу\w*", "registration"),
]
KK_BODY = (
    r"(?:жергілікті\s+атқарушы\s+орган\w*|уәкілетті\s+орган\w*|мемлекеттік\s+орган\w*|"
    r"аумақтық\s+(?:бөлімше|орган|инспекция|бөлім)\w*|әкімдік\w*|әкімдіг\w*|\bәкім\w*|аппарат\w*|басқарма\w*|бөлімі\w*|бөлімін\w*|"
    r"бөлімше\w*|бөліммен|бөлімнен|департамент\w*|инспекция\w*|министрлі\w*|комитет\w*|ветеринариялық\s+(?:станция|пункт)\w*|"
    r"полиция\w*|шекара\s+қызмет\w*|кадр\s+қызмет\w*|ведомство\w*|\bорган(?:ы|ның|нан|ға|мен|ды|ына|ынан|ымен|ының)?\b|"
    r"қазынашылық\w*)"
)
KK_OBTAIN = (
    r"(?:алады|алуы|алуға|алу\b|алынады|алынған|алған|ұсынады|ұсынылады|ұсыну|қоса\s+бер\w*|келіседі|келісіледі|"
    r"келісу\s+бойынша|келісімімен|рұқсатымен|болған\s+(?:кезде|жағдайда)|негізінде|бойынша\s+жүзеге|тиіс|міндетті|"
    r"болуы|талап\s+етеді|қажет)"
)
KK_DOCS_CTX = r"(?:қоса\s+бер|ұсынады|ұсынылады|құжат|мәлімет)"
KK_NOT_SERVICE = [
    r"мемлекеттік\s+көрсетілетін\s+қызмет", r"стандарт\w*", r"тізілім\w*\s+мемлекеттік\s+көрсетілетін",
    r"ақпараттық\s+жүйе", r"ведомствоаралық", r"\(келісім\s+бойынша\)", r"медициналық\s+ұйым", r"нотариат\w*",
    r"талап\s+етілмейді", r"\bбанк\w*",
    r"салық\w*\s+берешег", r"соттылы", r"мемлекеттік\s+кірістер\s+орган", r"әкімшілік\s+айыппұл",
    r"рұқсаттар\s+және\s+хабарламалар", r"рұқсат\s+беруші", r"лицензия\w*", r"лицензиар\w*",
]
KK_FALSE_OBJECT = re.compile(
    r"қорытындылар\w*|шарт\w*\s+(?:\w+\s+)?жасасу|келісім[\s-]*шарт\w*|мемлекеттік\s+тіркел\w*|келісімшарт\w*", re.I)
KK_COMMISSION = re.compile(r"комиссия", re.I)

OPEN_MARKERS = {
    "ru": re.compile(r"\bин(?:ые|ых|ым|ыми|ое|ого|ой)\b|\bдруги[еx]\b|и\s+т\.\s?[пд]\.|при\s+наличии\s+оснований|"
                     r"в\s+иных\s+случаях|несоответстви\w+\s+требованиям(?!\s*,?\s*(?:установленн|предусмотренн)\w*\s+(?:пункт|подпункт|стать))|"
                     r"нецелесообразн\w*|по\s+(?:своему\s+)?усмотрению", re.I),
    "kk": re.compile(r"өзге\s+де|басқа\s+да|және\s+т\.\s?б\.|негіздер\w*\s+болған\s+кезде|өзге\s+жағдайларда|"
                     r"талаптарға\s+сәйкес\s+келмеу(?!\S*\s+\S*\s*(?:тармақ|бап))|орынсыз|өз\s+қалауы", re.I),
}
REFUSAL = {
    "ru": re.compile(r"основани\w*\s+(?:для\s+)?(?:отказа|возврата|отклонени)|отказ\w*\s+в\s+(?:выдаче|согласовани|"
                     r"включени|предоставлени|регистрац)|отказывает\s+(?:в\s+)?\w*\s*(?:по\s+следующим|в\s+случа)", re.I),
    "kk": re.compile(r"бас\s+тарту(?:дың)?\s+негіз\w*|бас\s+тартуға\s+негіз\w*|бас\s+тарту\s+үшін\s+негіз\w*|"
                     r"мынадай\s+жағдайларда\s+бас\s+тартады", re.I),
}
TERM = {
    "ru": re.compile(r"в\s+течение\s+(?:\d+\s*\(?[а-я]*\)?|[а-я]+(?:\s+[а-я]+)?)\s+(?:рабоч\w+|календарн\w+)?\s*(?:дн\w+|дней|месяц\w*|час\w*)|"
                     r"не\s+позднее\s+\S+\s+(?:\S+\s+)?(?:рабоч\w+|календарн\w+)?\s*(?:дн\w+|дней|месяц\w*)|"
                     r"в\s+срок\s+(?:не\s+более|до|не\s+позднее)\s+\S+(?:\s+\S+){0,2}\s+(?:дн\w+|дней)|"
                     r"\d+\s*\(?[а-я]*\)?\s*(?:рабоч|календарн)\w*\s+дн\w*|срок\s+(?:рассмотрени|выдачи|согласовани|оказани)\w*\s+"
                     r"(?:\w+\s+){0,4}составляет\s+\S+(?:\s+\S+)?\s+(?:рабоч\w+\s+|календарн\w+\s+)?(?:дн\w+|дней)|"
                     r"в\s+день\s+(?:поступлени|обращени|подачи)\w*", re.I),
    "kk": re.compile(r"(?:\d+|[а-яәғқңөұүһі]+)\s+(?:\(\S+\)\s+)?(?:жұмыс|күнтізбелік)\s+күн\w*(?:\s+ішінде)?|"
                     r"\S+\s+күн\s+ішінде|күннен\s+кешіктірмей|\S+\s+айдан\s+кешіктірмей|сол\s+күні|түскен\s+күні", re.I),
}
FEE = {
    "ru": [(re.compile(r"бесплатно|на\s+безвозмездной\s+основе|безвозмездно|плата\s+не\s+взимается|без\s+взимания\s+платы", re.I), "free"),
           (re.compile(r"на\s+платной\s+основе|платно|за\s+плату|взимается\s+плата|оплат\w+\s+стоимост|государственн\w+\s+пошлин|сбор\w*\s+в\s+размере", re.I), "paid")],
    "kk": [(re.compile(r"тегін|ақысыз|өтеусіз", re.I), "free"),
           (re.compile(r"ақылы|ақы\s+алынады|ақы\s+төле\w*|мемлекеттік\s+баж|алым\w*", re.I), "paid")],
}
RESULT = {
    "ru": re.compile(r"(?:выдает|выдается|направляет|оформляет|согласовывает|принимает\s+решение)[^.;]{0,120}?"
                     r"(?:либо|или)\s+(?:мотивированн\w+\s+)?отказ\w*", re.I),
    "kk": re.compile(r"(?:береді|беріледі|жібереді|келіседі|шешім\s+қабылдайды)[^.;]{0,80}|[^.;]{0,80}(?:не|немесе)\s+"
                     r"(?:дәлелді\s+)?бас\s+тарту\w*", re.I),
}
PURPOSE = {
    "ru": re.compile(r"(?:для|в\s+целях)\s+(?:получения|участия|включения|предоставления|назначения|регистрации|"
                     r"проведения|размещения|изготовления|подключения|осуществления)\s+[^,;.:]{3,90}", re.I),
    "kk": re.compile(r"[^,;.:]{3,80}?\s(?:алу|қатысу|енгізу|тағайындау|тіркеу|өткізу|орналастыру|жүргізу)\s+үшін", re.I),
}


def _any(patterns: Iterable[str], text: str) -> bool:
    return any(re.search(p, text, re.I) for p in patterns)


@dataclass
class _Cand:
    kind: str
    start: int          # within the norm text
    end: int
    provider: str | None
    obj_text: str
    agreement: bool = False   # «по согласованию с …»: a condition on an action, not a thing obtained
    participle: bool = False  # «X, согласованный с Y» / «Y-мен келісілген X»


class _Lang:
    def __init__(self, lang: str):
        self.lang = lang
        kk = lang == "kk"
        self.objects = [(re.compile(p, re.I), k) for p, k in (KK_OBJECTS if kk else RU_OBJECTS)]
        self.body = re.compile(KK_BODY if kk else RU_BODY, re.I)
        self.obtain = re.compile(KK_OBTAIN if kk else RU_OBTAIN, re.I)
        self.docs_ctx = re.compile(KK_DOCS_CTX if kk else RU_DOCS_CTX, re.I)
        self.not_service = KK_NOT_SERVICE if kk else RU_NOT_SERVICE
        self.false_obj = KK_FALSE_OBJECT if kk else RU_FALSE_OBJECT
        self.commission = KK_COMMISSION if kk else RU_COMMISSION
        from ..rules import ruleset

        self.rs = ruleset(lang)


_LANGS: dict[str, _Lang] = {}


def _L(lang: str) -> _Lang:
    lang = lang if lang in ("ru", "kk") else "ru"
    if lang not in _LANGS:
        _LANGS[lang] = _Lang(lang)
    return _LANGS[lang]


_RU_GEN = r"[\w\-]*(?:а|я|ы|и|ого|его|ой|ей|ых|их|ов|ев|ий)"
_RU_GEN_WORD = re.compile(_RU_GEN + r"$", re.I)
_RU_CONT = re.compile(r"(?:в\s+(?:област|сфер)|по\s+(?:делам|вопросам|чрезвычайн\w*\s+\w+|правов|охран|контрол|надзор|месту)|и\s+[\w\-]+(?:а|я|ы|и|ого|его|ой|ей|ых|их|ов|ев)\b)", re.I)
_STOP_RU = re.compile(r"^(?:о|об|на|для|в\s+течение|при|до|по\s+(?!област|вопрос|делам|чрезвычайн|развити)|с|со|и|либо|или|"
                      r"подтверждающ|о\s+том|который|которая|которое|выдаваем|согласно|в\s+(?!област|сфер)|к|за|от)\b", re.I)
_STOP_KK = re.compile(r"^(?:туралы|үшін|бойынша|және|немесе|не|алады|алынған|береді|қоса|ұсынады|келісілген)\b", re.I)


def _phrase_after(text: str, start: int, lang: str, max_words: int = 9) -> str:
    """The body's name: the body word and the genitive tail after it, up to a stop word or punctuation."""
    out = []
    pos = start
    stop = _STOP_KK if lang == "kk" else _STOP_RU
    bm = _L(lang).body.match(text, start)
    if bm and " " in bm.group(0):
        out = bm.group(0).split()
        pos = bm.end()
        start = bm.end()
    for i, m in enumerate(re.finditer(r"[^\s,;.:]+", text[start:]), start=len(out)):
        gap = text[pos:start + m.start()]
        if re.search(r"[,;.:]", gap) or "\n" in gap:
            break
        rest = text[start + m.start():]
        if i > 0 and lang == "ru" and _RU_CONT.match(rest):
            out.append(m.group(0))
            pos = start + m.end()
            continue
        if i > 0 and stop.match(rest) and not (out and out[-1].lower() in ("в", "по", "и")):
            break
        if i > 0 and lang == "ru" and not (_RU_GEN_WORD.match(m.group(0)) or re.match(r"[«\"(]|\d", m.group(0))
                                           or (out and out[-1].lower() in ("в", "по", "и"))):
            break
        if i > 0 and lang == "kk":
            # Kazakh: the name ends at the case-marked head (…бөлімінен, …әкімінің)
            out.append(m.group(0))
            if re.search(r"(?:нан|нен|дан|ден|тан|тен|мен|бен|пен|ның|нің|дың|дің|тың|тің|ға|ге|қа|ке|ына|іне|нда|нде)$", m.group(0)) \
                    and re.match(_W, m.group(0)) and _L(lang).body.search(m.group(0)):
                break
        else:
            out.append(m.group(0))
        pos = start + m.end()
        if len(out) >= max_words:
            break
    return " ".join(out).strip("«»\"() ")


_KK_NAME_WORD = re.compile(
    r"(?:ның|нің|дың|дің|тың|тің|тық|дық|лық|тік|дік|лік|ғы|гі|қы|кі)$|^(?:облыс|аудан|қала|округ|ауыл|сәулет|және|"
    r"мәдениет|білім|денсаулық|ветеринария|ішкі|істер|табиғи|ресурстар|жер|су|орман|туризм|спорт|дене|шынықтыру|"
    r"қаржы|шаруашылығы|тұрғын|үй|үй-коммуналдық|коммуналдық|персоналды|басқару|мемлекеттік|кірістер|"
    r"сәулет-құрылыс|бақылау|кадр|қала|құрылысы|жол|көші-қон|төтенше|жағдайлар|ведомствоның|аумақтық|"
    r"әкімі|әкімдігі|аппараты|\(.*|.*\))$", re.I)


def _kk_body_before(text: str, end: int) -> tuple[int, str] | None:
    """Kazakh: the body named before a position (…әкімінің анықтамасы, …органмен келісілген)."""
    L = _L("kk")
    best = None
    for m in L.body.finditer(text, 0, end):
        if end - m.end() <= 60:
            best = m
    if not best:
        return None
    # extend to the left over the name's modifiers (up to 6 words, not over punctuation)
    s = best.start()
    left = text[:s]
    words = list(re.finditer(r"[^\s,;.:]+", left))
    k = len(words)
    n = 0
    while k > 0 and n < 6:
        w = words[k - 1]
        between = text[w.end():s if n == 0 else words[k].start()]
        if re.search(r"[,;.:]", between):
            break
        if re.match(r"\d+\)|[«»\"]", w.group(0)) or L.rs.private.fullmatch(w.group(0).lower()):
            break
        if re.search(r"(?:алу|үшін|бойынша|туралы|кейін|дейін|алдында|ғана)$", w.group(0)):
            break
        if L.body.fullmatch(w.group(0)) and not re.search(r"(?:ның|нің|дың|дің|тың|тің)$", w.group(0)) \
                and not re.match(r"аппарат", text[w.end():].strip()):
            break      # a body in the nominative is the subject, not part of the provider's name
        if not _KK_NAME_WORD.search(w.group(0)):
            break
        k -= 1
        n += 1
    while n and words[k].group(0).lower() == "және":
        k += 1
        n -= 1
    start = words[k].start() if n else s
    return start, text[start:best.end()]


def _find_candidates(text: str, lang: str) -> list[_Cand]:
    L = _L(lang)
    low = text.replace("ё", "е")
    cands: list[_Cand] = []
    taken: list[tuple[int, int]] = []
    for pat, kind in L.objects:
        for m in pat.finditer(low):
            if any(a <= m.start() < b for a, b in taken):
                continue
            if L.false_obj.match(low, m.start()) or L.false_obj.search(low[max(0, m.start() - 25):m.end() + 30]) and \
                    not (lang == "ru" and kind in ("approval", "certificate", "conclusion")):
                continue
            provider = None
            pstart = None
            if lang == "ru" and re.search(r"(?:\bпо|\bс|\bсо)\s+(?:письменного\s+)?$", low[max(0, m.start() - 20):m.start()], re.I):
                continue       # «по согласованию с», «с согласия», «с разрешения»: see _ru_agreement
            if lang == "ru":
                after = low[m.end():m.end() + 90]
                # «справка акима …», «согласование управления …», «согласованный с …», «выданное …», «от/у/в/из …»
                pm = re.match(r"\s*(?:" + _RU_GEN + r"\s+){0,3}?(?:(?:с|со|от|у|в|из)\s+)?(" + RU_BODY + ")", after, re.I)
                if pm and not re.search(r"[,;.:]", after[:pm.start(1)]):
                    pstart = m.end() + pm.start(1)
                    provider = _phrase_after(low, pstart, lang)
            else:
                if re.match(r"келісімімен|келісу\s+бойынша|рұқсатымен|келіс(?:еді|іледі)", low[m.start():]):
                    continue   # a condition on an action: see _kk_agreement
                bb = _kk_body_before(low, m.start())
                if bb and not re.search(r"[;.]", low[bb[0]:m.start()]):
                    pstart, provider = bb
            if provider is None:
                continue
            if L.commission.search(provider):
                continue
            if re.search(r"услугодател|көрсетілетін\s+қызметті\s+беруші", provider):
                continue
            a = min(m.start(), pstart)
            b = max(m.end(), pstart + len(provider))
            if lang == "ru":
                # the object with its complement («справка … о наличии личного подсобного хозяйства»)
                cm = re.match(r"[^;:.\n]{0,160}?(?=[;:.\n]|,\s+(?:выданн|полученн|согласованн|подтверждающ|котор)|$)", low[b:])
                if cm and re.match(r"\s*(?:о|об|на|для)\b", low[b:]):
                    b += len(cm.group(0).rstrip())
            part = lang == "kk" and low[m.start():].startswith(("келісілген", "растаған"))
            if part:
                b = _kk_np_end(text, b)
            cands.append(_Cand(kind, a, b, provider, text[a:b], participle=part))
            taken.append((m.start(), m.end()))
    # «X, согласованный с Y» (ru participle), «Y-мен келісілген X» (kk)
    if lang == "ru":
        for m in re.finditer(RU_PARTICIPLE + r"\s+(?:\w+\s+){0,1}?(?:(?:с|со|в|у|от)\s+)?(" + RU_BODY + ")", low, re.I):
            if any(a <= m.start() < b for a, b in taken):
                continue
            provider = _phrase_after(low, m.start(1), lang)
            if L.commission.search(provider):
                continue
            head = re.split(r"[;:]|\d+\)", low[:m.start()])[-1].strip(" ,")
            kind = "approval" if low[m.start():].startswith("согласованн") else "confirmation"
            for pat, k in RU_OBJECTS:
                hm = re.compile(pat, re.I).search(head)
                if hm and k != "registration":
                    kind = k
                    break
            hs = max(0, m.start() - len(head) - 2)
            cands.append(_Cand(kind, hs, m.start(1) + len(provider), provider, text[hs:m.start(1) + len(provider)],
                               participle=True))
    return cands


_PASSIVE_OK = {
    "ru": re.compile(r"при\s+наличии|до\s+получения|допуска\w*|на\s+основании|по\s+заявлени|прилага\w*|представля\w*|"
                     r"получа\w*|согласовыва\w*|требуется|оформля\w*|подает|подают", re.I),
    "kk": re.compile(r"болған\s+(?:кезде|жағдайда)|негізінде|бойынша\s+жүзеге|алынады|жол\s+беріледі|қоса\s+беріледі|"
                     r"ұсынылады|өтініші\s+бойынша|алады|алуға|алуы|ұсынады|келіседі|қоса\s+береді|талап\s+етеді", re.I),
}


def _kk_np_end(text: str, end: int) -> int:
    """Kazakh: after «…органмен келісілген» the thing itself follows: extend to the end of the phrase."""
    m = re.match(r"(?:\s+[^\s,;.:]+){0,4}", text[end:])
    return end + (m.end() if m else 0)


def _obligor(text: str, lang: str) -> str | None:
    L = _L(lang)
    low = text.replace("ё", "е")
    ms = sorted(list(L.rs.private.finditer(low)) + list(EXTRA_PRIVATE[lang].finditer(low.lower())), key=lambda m: m.start())
    for m in ms:
        w = m.group(0)
        if w in ("он", "она", "они"):
            continue
        if lang == "kk" and re.search(r"(?:ның|нің|дың|дің|тың|тің|на|не|ға|ге|нан|нен|дан|ден)$", w) and not w.endswith("алушы"):
            continue
        if lang == "ru" and re.match(r"(?:граждан|лиц)\w*$", w) and re.search(r"(?:проживани|для)\s+" + w, low):
            continue
        if lang == "ru" and re.search(r"(?:телю|телем|телей|телям|ому|ему|ом|ой|ами|ями|ях|ах|ого|его|ых|их|ов|ев)$", w.lower()):
            continue
        return text[m.start():m.end()]
    return None


def _chapter_key(n: Norm) -> tuple:
    return (n.path.get("annex"), n.path.get("section"), n.path.get("chapter"), n.path.get("article"))


def _point_key(n: Norm) -> tuple:
    return _chapter_key(n) + (n.path.get("point"), n.path.get("part"))


def _stem(word: str, lang: str) -> str:
    from ...nlp.pipeline import lemma

    return lemma(word, lang)[:6]


def extract(units: list[Norm], text: str | None = None) -> list[ServiceObligation]:
    """Every service-like obligation of a draft, in document order, one record per norm and thing.

    ``units`` are the located norms of :func:`lexpert.structure.norms` (``ActReport.norms``);
    ``text`` (the normalized document) is not needed beyond the norms and may be omitted.
    """
    by_chapter: dict[tuple, list[Norm]] = {}
    for n in units:
        by_chapter.setdefault(_chapter_key(n), []).append(n)
    named = _named_services(units)
    blocked: set[tuple] = set()
    out: list[ServiceObligation] = []
    for n in units:
        lang = n.lang if n.lang in ("ru", "kk") else "ru"
        L = _L(lang)
        t = n.text
        low = t.replace("ё", "е").lower()
        ctx = (n.context or "").replace("ё", "е").lower()
        in_docs = bool(n.kind in ("subpoint", "item") and ctx and L.docs_ctx.search(ctx)
                       and not re.search(r"редакци|содержани|дополнить|изложить|мазмұнда|толықтырылсын|жазылсын", ctx))
        if _any(L.not_service, low):
            # a named service, a permit under the Law on permits, a registered certificate: later
            # mentions of the same thing in the draft are not hidden services either
            for c in _find_candidates(t, lang):
                blocked.add(_key(c.kind, c.provider, lang))
            continue
        if n.kind in ("subpoint", "item") and ctx and _any(L.not_service, ctx) and not in_docs:
            continue
        cands = _find_candidates(t, lang)
        if lang == "ru":
            cands += _ru_agreement(t)
        else:
            cands += _kk_agreement(t)
        cands += _inclusion(t, lang)
        if not cands:
            continue
        seen = set()
        for c in sorted(cands, key=lambda c: c.start):
            if any(c.start < b and a < c.end for a, b in seen):
                continue
            # who obtains it: a private person; a state body obtaining from a state body is not a service
            if not in_docs:
                if not L.obtain.search(low) and not L.obtain.search(ctx):
                    continue
                subj = _subject(t, c.start, lang)
                if subj == "state":
                    continue   # a state body obtains it in its own work: interaction of bodies
                if subj is None and not _PASSIVE_OK[lang].search(low):
                    continue   # nobody is made to obtain anything
                if c.agreement:
                    # «по согласованию с …» is a service only for a person's activity, not a power («вправе»)
                    if re.search(r"\bвправе\b|\bможет\b|\bмогут\b|құқылы|мүмкін", low):
                        continue
                    if subj != "private" and not re.search(r"допуска|жол\s+беріледі|рұқсат\s+етіледі", low):
                        continue
            elif re.search(r"вправе|құқылы", low):
                continue
            if re.search(r"комисси", low[max(0, c.start - 40):c.end]):
                continue
            if c.kind == "conclusion" and re.match(r"рекоменд|ұсыным", c.obj_text.lower()) and not in_docs:
                continue
            head_clause = c.obj_text.lower()
            if lang == "ru":
                pieces = [x for x in re.split(r",", t[:c.start + len(c.obj_text)].lower()) if x.strip()]
                head_clause = pieces[-2] if len(pieces) >= 2 else c.obj_text.lower()
            if c.participle and not in_docs and not re.search(
                    r"\b(?:план\b|плана|схем|акт\b|акта|график|маршрут|программ|проект|документ|съемк|смет|характеристик|расчет|"
                    r"справк|подтвержд|заключени|согласовани|разрешени|свидетельств|"
                    r"тапсырма|жоспар|кесте|бағдарлама|жоба|құжат|сызба)", head_clause):
                continue
            if lang == "kk" and not in_docs and c.provider and not c.agreement:
                last = c.provider.split()[-1].lower()
                if not re.search(r"(?:ның|нің|дың|дің|тың|тің|нан|нен|дан|ден|тан|тен|мен|бен|пен|ға|ге|қа|ке|на|не|ына|іне)$", last):
                    continue   # the body in the nominative is the one acting, not the one asked
            obligor = _obligor(t[:c.start], lang) or _obligor(n.context or "", lang)
            if not in_docs and obligor is None and lang == "ru" and not re.search(r"допуска|при\s+наличии|до\s+получения|по\s+согласованию|с\s+согласия", low):
                continue
            if n.kind in ("subpoint", "item") and not in_docs and ctx and REFUSAL[lang].search(ctx):
                continue   # a ground for refusal that mentions a document is not an obligation
            seen.add((c.start, c.end))
            rec = ServiceObligation(
                norm_id=n.id, locator=n.locator, lang=lang, kind=c.kind, object=" ".join(c.obj_text.split()),
                provider=c.provider, obligor=obligor, start=n.start + c.start, end=n.start + c.end,
                evidence=t[c.start:c.end], text=t,
            )
            rec.sources = {"object": n.locator}
            pm = PURPOSE[lang].search(t) or (PURPOSE[lang].search(n.context or "") if n.context else None)
            if pm:
                rec.purpose = " ".join(pm.group(0).split())
            _neighbours(rec, n, by_chapter.get(_chapter_key(n), []), lang)
            rec.named_service = _matches_named(rec, named)
            if rec.named_service or _key(rec.kind, rec.provider, lang) in blocked:
                continue
            out.append(rec)
    return _dedupe(out)


def _key(kind: str, provider: str | None, lang: str) -> tuple:
    words = re.findall(r"[\w\-]+", (provider or "").lower())
    return (kind, _stem(words[0], lang)[:5] if words else "")


EXTRA_PRIVATE = {
    "ru": re.compile(r"работодател\w*|победител\w*|товаропроизводител\w*|производител\w*\s+работ|водител\w*|агентств\w*|организатор\w*|"
                     r"исполнител\w*\s+работ|грантополучател\w*|пользовател\w*|оператор\w*\s+связи|лагер\w*|"
                     r"частн\w+\s+\w+\s+организаци\w*|организаци\w*(?=\s+(?:подает|получает|представляет|прилагает))", re.I),
    "kk": re.compile(r"жеңімпаз\w*|жалдаушы\w*|ұстаушы\w*|туроператор\w*|абонент\w*|хабарлама\s+беруші\w*|мердігер\w*|"
                     r"пайдаланушы\w*|байланыс\s+операторы\w*|грант\s+алушы\w*|жұмыс\s+беруші\w*|адамдар\w*", re.I),
}


def _subject(text: str, pos: int, lang: str) -> str | None:
    """The kind of the first actor named before ``pos`` in the sentence: 'state', 'private' or None.
    Kazakh is subject-first, Russian mostly too; a private actor anywhere before wins over a
    state body named as the provider («заявитель получает в управлении …»)."""
    L = _L(lang)
    low = text.replace("ё", "е").lower()
    sent_start = max(low.rfind(". ", 0, pos), low.rfind(": ", 0, pos), 0)
    priv = [m for m in L.rs.private.finditer(low, sent_start, pos) if m.group(0) not in ("он", "она", "они")]
    priv = sorted(priv + list(EXTRA_PRIVATE[lang].finditer(low, sent_start, pos)), key=lambda m: m.start())
    if lang == "kk":
        priv = [m for m in priv if not re.search(r"(?:ның|нің|дың|дің|тың|тің)$", m.group(0))]
    else:
        priv = [m for m in priv if not re.search(r"(?:телю|телем|телей|телям|ому|ему|ом|ой|ами|ями|ях|ах|ого|его|ых|их|ов|ев)$",
                                                 m.group(0))]
    state = [m for m in L.rs.state.finditer(low, sent_start, pos)]
    state = [m for m in state if not re.search(r"(?:ом|ем|ой|ей|ого|его|ому|ему|ым|им|ами|ях|ах|мен|бен|пен|нан|нен|дан|ден|ға|ге|на|не)$",
                                               m.group(0)) or m.start() == sent_start]
    if priv and (not state or priv[0].start() < state[0].start()):
        return "private"
    if state:
        first = state[0].group(0)
        if lang == "ru" and not re.search(r"(?:орган|акимат|аким|управление|отдел|министерство|комиссия|служба|"
                                          r"инспекция|департамент|учреждение|подразделение|ведомство|оператор|центр|совет)$", first):
            return "private" if priv else None
        return "state"
    return "private" if priv else None


def _ru_agreement(t: str) -> list[_Cand]:
    """«по согласованию с Y», «с согласия Y», «с разрешения Y», «при наличии согласия Y»."""
    low = t.replace("ё", "е")
    out = []
    for m in re.finditer(r"(по\s+согласованию\s+с|с\s+согласия|с\s+(?:письменного\s+)?разрешения|по\s+разрешению|"
                         r"согласовыва\w+\s+(?:\w+\s+){0,4}?с)\s+(" + RU_BODY + ")", low, re.I):
        provider = _phrase_after(low, m.start(2), "ru")
        if RU_COMMISSION.search(provider) or re.match(r"руководител|поставщик|заказчик", provider):
            continue
        kind = "permit" if "разрешени" in m.group(1) else "approval"
        out.append(_Cand(kind, m.start(), m.start(2) + len(provider), provider, t[m.start():m.start(2) + len(provider)],
                         agreement=True))
    return out


def _kk_agreement(t: str) -> list[_Cand]:
    """«Y-мен келісу бойынша», «Y келісімімен», «Y-мен келіседі»."""
    low = t.lower()
    out = []
    for m in re.finditer(r"(келісу\s+бойынша|келісімімен|рұқсатымен|келіседі|келісіледі|келісімін\s+ал\w*|рұқсат\w*\s+ал\w*)", low):
        bb = _kk_body_before(low, m.start())
        if not bb or re.search(r"[;.]", low[bb[0]:m.start()]):
            continue
        provider = bb[1]
        if KK_COMMISSION.search(provider):
            continue
        kind = "permit" if "рұқсат" in m.group(1) else "approval"
        out.append(_Cand(kind, bb[0], m.end(), provider, t[bb[0]:m.end()],
                         agreement=not re.match(r"келісімін|рұқсат\w*\s+ал", m.group(1))))
    return out


def _inclusion(t: str, lang: str) -> list[_Cand]:
    """Inclusion, on application, in a register or list kept by a body (R2 b)."""
    low = t.replace("ё", "е").lower()
    if lang == "ru":
        m = re.search(r"включени\w*\s+(?:\w+\s+){0,3}?в\s+(?:реестр|перечень|список)\w*", low)
        if not m or not re.search(r"заявк|заявлени", low):
            return []
        bm = re.search(r"(?:в|акимом|органом)\s+(" + RU_BODY + ")", low[m.end():]) or re.search(RU_BODY, low[m.end():])
        provider = _phrase_after(low, m.end() + (bm.start(1) if bm and bm.groups() else bm.start()), "ru") if bm else None
        if not provider:
            bm = re.search(r"(аким\w*\s+\w+|управлени\w+\s+\w+)", low)
            provider = bm.group(0) if bm else None
        return [_Cand("registration", m.start(), m.end(), provider, t[m.start():m.end()])] if provider else []
    m = re.search(r"(?:тізілімге|тізбеге|тізімге)\s+(?:\w+\s+)?енгізу\w*", low)
    if not m or not re.search(r"өтінім|өтініш", low):
        return []
    bm = re.search(KK_BODY, low)
    return [_Cand("registration", m.start(), m.end(), bm.group(0), t[m.start():m.end()])] if bm else []


def _named_services(units: list[Norm]) -> list[str]:
    """Names of the state services the draft itself names («государственная услуга «…»»)."""
    out = []
    for n in units:
        for m in re.finditer(r"(?:государственн\w+\s+услуг\w*|мемлекеттік\s+көрсетілетін\s+қызмет\w*)\s*[«\"]([^»\"]{5,300})[»\"]",
                             n.text, re.I):
            out.append(m.group(1).lower())
        for m in re.finditer(r"[«\"]([^»\"]{5,300})[»\"]\s*(?:мемлекеттік\s+көрсетілетін\s+қызмет)", n.text, re.I):
            out.append(m.group(1).lower())
    return out


def _matches_named(rec: ServiceObligation, named: list[str]) -> bool:
    """The obligation *is* the state service the draft names (not an approval needed for it)."""
    if not named:
        return False
    head = re.match(r"[\w\-]+", rec.object.lower())
    if not head:
        return False
    st = _stem(head.group(0), rec.lang)[:5]
    prov = (rec.provider or "").lower()
    for name in named:
        if st and st in name and (not prov or re.search(r"услугодател|беруші", prov)):
            return True
    return False


def _neighbours(rec: ServiceObligation, n: Norm, chapter: list[Norm], lang: str) -> None:
    """Fill documents, term, fee, result and refusal grounds from the norm, its point and its chapter:
    a neighbour counts when it speaks of the same thing (the object's stem) or belongs to the same point."""
    head = re.match(r"[\w\-]+", rec.object.lower())
    key = _stem(head.group(0), lang)[:5] if head else ""
    if rec.kind == "approval":
        keys = ["согласов", "келіс"]
    elif rec.kind == "registration":
        keys = ["реестр", "перечен", "тізілім", "тізбе"]
    else:
        keys = [key] if key else []

    pw = [w for w in re.findall(r"[\w\-]+", (rec.provider or "").lower()) if len(w) > 3]
    pkey = _stem(pw[-1] if lang == "kk" else pw[0], lang)[:5] if pw else ""

    def about(m: Norm) -> bool:
        low = m.text.lower()
        if _point_key(m) == _point_key(n):
            return any(k in low for k in keys)
        return any(k in low for k in keys) and (not pkey or pkey in low or (lang == "ru" and "услугодател" in low))

    same_point = [m for m in chapter if _point_key(m) == _point_key(n)]
    scope = [n] + [m for m in same_point if m is not n] + [m for m in chapter if m not in same_point and about(m)]
    T = TERM[lang]
    for m in scope:
        if rec.term is None and (m is n or about(m)):
            tm = T.search(m.text)
            if tm:
                rec.term = " ".join(tm.group(0).split())
                rec.sources["term"] = m.locator
        if rec.fee is None and (m is n or about(m)):
            for pat, val in FEE[lang]:
                if pat.search(m.text):
                    rec.fee = val
                    rec.sources["fee"] = m.locator
                    break
        if rec.result is None and m is not n and about(m):
            rm = RESULT[lang].search(m.text)
            if rm and re.search(r"отказ|бас\s+тарт", rm.group(0), re.I):
                rec.result = " ".join(rm.group(0).split())[:160]
                rec.sources["result"] = m.locator
        if m is not n and about(m) and re.search(r"стандарт|регламент", m.text, re.I):
            rec.standard = True
        if m is not n and m.id != n.id and about(m):
            rec.mentions.append(m.locator)
    # documents: a point «Для получения согласования … представляет:» with its subpoints, or an inline list
    DOCS = {"ru": re.compile(r"(?:для\s+(?:получения|оформления)\s+\w+[^.:;]{0,80}?)(?:представляет|прилагает|подает|направляет)\s+([^.]{5,300})", re.I),
            "kk": re.compile(r"(?:алу\s+үшін[^.:;]{0,80}?)(?:ұсынады|қоса\s+береді|береді|жолдайды)\s*:?\s*([^.]{0,300})", re.I)}
    for m in chapter:
        if m is n or not about(m):
            continue
        dm = DOCS[lang].search(m.text)
        if not dm:
            continue
        subs = [s for s in chapter if s.kind in ("subpoint", "item") and _point_key(s) == _point_key(m) and s is not m]
        if subs:
            rec.documents = [" ".join(s.text.split())[:160] for s in subs]
        elif dm.group(1).strip():
            rec.documents = [x.strip(" ,") for x in re.split(r",\s*|\s+и\s+|\s+және\s+", dm.group(1)) if x.strip(" ,")][:10]
        if rec.documents:
            rec.sources["documents"] = m.locator
            break
    if not rec.documents:
        im = re.search(r"с\s+приложением\s+([^.;]{5,200})|(\S+\s+(?:\S+\s+)?құжаттар\w*)\s+қоса\s+бер", n.text, re.I)
        if im:
            rec.documents = [" ".join((im.group(1) or im.group(2)).split())]
            rec.sources["documents"] = n.locator
    # refusal grounds: a list «Основаниями для отказа в … являются:» about the same thing
    R = REFUSAL[lang]
    for m in chapter:
        if not R.search(m.text):
            continue
        if m is not n and not about(m) and _point_key(m) != _point_key(n):
            continue
        subs = [s for s in chapter if s.kind in ("subpoint", "item") and _point_key(s) == _point_key(m) and s is not m]
        grounds = [" ".join(s.text.split())[:160] for s in subs] or [" ".join(m.text.split())[:240]]
        rec.refusal_grounds = grounds
        blob = " ".join([m.text] + [s.text for s in subs])
        rec.refusal = "open" if OPEN_MARKERS[lang].search(blob) or not subs and not re.search(r"\d+\)", m.text) else "closed"
        rec.sources["refusal"] = m.locator
        break


def _dedupe(recs: list[ServiceObligation]) -> list[ServiceObligation]:
    """One record per norm and thing; a later norm that repeats the same thing from the same body
    is kept (it may be where the person is made to obtain it) but linked through ``mentions``."""
    out: list[ServiceObligation] = []
    first: dict[tuple, ServiceObligation] = {}
    for r in recs:
        if any(o.norm_id == r.norm_id and o.kind == r.kind and (o.start <= r.start < o.end or r.start <= o.start < r.end)
               for o in out):
            continue
        k = _key(r.kind, r.provider, r.lang)
        if k in first and first[k].norm_id != r.norm_id:
            o = first[k]       # the same thing from the same body, named again: fill what the first one lacks
            if r.locator not in o.mentions:
                o.mentions.append(r.locator)
            for f in ("term", "fee", "result", "purpose"):
                if getattr(o, f) is None and getattr(r, f) is not None:
                    setattr(o, f, getattr(r, f))
                    o.sources[f] = r.sources.get(f, r.locator)
            if not o.documents and r.documents:
                o.documents = r.documents
                o.sources["documents"] = r.sources.get("documents", r.locator)
            if o.refusal == "none" and r.refusal != "none":
                o.refusal, o.refusal_grounds = r.refusal, r.refusal_grounds
                o.sources["refusal"] = r.sources.get("refusal", r.locator)
            continue
        first.setdefault(k, r)
        out.append(r)
    return out
