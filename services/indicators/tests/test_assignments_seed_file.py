"""The bundled assignments file (seed_data/assignments/0580-KS.json) against the print of
the section "Strategiska utvecklingsuppdrag" (budget proposal 2018-2021), without a database
or HTTP: every title and answer paragraph is the print's text character for character, in
order and with nothing left out, and an independent spot check typed from the print finds
titles, goal links and what reports on each."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import indicator_service
from indicator_service.schemas import AssignmentIn, AssignmentsIn, RegisterIn
from indicator_service.vocabulary import AssignmentAddressee, AssignmentIssuer

SEED = Path(indicator_service.__file__).parent / "seed_data"
DATA_FILE = SEED / "assignments" / "0580-KS.json"
# The section as the document's text layer has it (lines 439-849 of the customer's file),
# page layout and all: the heading, then the assignments with the board's answers.
PRINT = Path(__file__).parent / "print" / "strategiska_utvecklingsuppdrag.txt"


@cache
def assignments() -> AssignmentsIn:
    return AssignmentsIn.model_validate(json.loads(DATA_FILE.read_text(encoding="utf-8")))


@cache
def register() -> RegisterIn:
    return RegisterIn.model_validate(json.loads((SEED / "0580-KS.json").read_text("utf-8")))


def by_title(title: str) -> AssignmentIn:
    found = [a for a in assignments().assignments if a.title == title]
    assert len(found) == 1, f"{title!r} found {len(found)} times"
    return found[0]


def print_text() -> str:
    """The section's running text: each printed line stripped of the layout's edge spaces
    and joined with one space, except after a line-final hyphen (IT-|objekt), which joins
    directly; blank lines and the heading carry no text."""
    lines = PRINT.read_text(encoding="utf-8").split("\n")
    assert lines[0] == "Strategiska utvecklingsuppdrag"
    text, previous = "", ""
    for line in lines[1:]:
        stripped = line.strip()
        if not stripped:
            continue
        glued = text.endswith("-") and not previous.endswith(" ")
        text = stripped if not text else text + ("" if glued else " ") + stripped
        previous = line
    return text


def file_text() -> str:
    """The file's titles and answer paragraphs in order, as running text (a list item on a
    line of its own joins like a printed line)."""
    parts = [p for a in assignments().assignments for p in (a.title, *a.answer)]
    return " ".join(parts).replace("\n", " ")


# ---- the print, character for character ---------------------------------------------------


def test_titles_and_answers_are_the_print_character_for_character() -> None:
    printed, stored = print_text(), file_text()
    if printed != stored:  # name the first difference instead of two pages of text
        at = next(i for i, (p, s) in enumerate(zip(printed, stored, strict=False)) if p != s)
        raise AssertionError(
            f"differs at {at}: print {printed[at - 40 : at + 40]!r}, file "
            f"{stored[at - 40 : at + 40]!r}"
        )
    # The whole section, to its last printed line, not a prefix of it.
    assert printed.endswith("Mjärdevi, som kommer att implementeras med start under 2017.")


def test_each_title_is_a_paragraph_of_its_own_in_the_print() -> None:
    """A title starts a printed line and ends one, so none swallowed its answer's start."""
    lines = [line.strip() for line in PRINT.read_text(encoding="utf-8").split("\n")]
    for a in assignments().assignments:
        starts = [n for n, line in enumerate(lines) if len(line) > 40 and a.title.startswith(line)]
        assert len(starts) == 1, a.code
        end = starts[0]
        while not a.title.endswith(lines[end]):
            end += 1
        assert lines[end].endswith((".", ")")), a.code


# ---- typed from the print, independently of the file -------------------------------------

TITLES = [
    "Att utveckla arbetets organisering och processer både ur ett hälsoperspektiv och ett "
    "kompetensförsörjningsperspektiv för att bidra till att lösa den framtida bemanningen.",
    "Att arbeta med lönebildning och lönestruktur i större utsträckning för att bidra till att "
    "lösa den framtida bemanningen.",
    "Samtliga nämnder får i uppdrag att redovisa hur nämnden kommer att arbeta med "
    "digitalisering. Utgångspunkt och målsättning för arbetet med den digitala transformeringen "
    "är bland annat ”En digital agenda för Linköping” och den nationella ambitionen "
    "”Digitalt först”.",
    "Samtliga lokalintensiva nämnder får i uppdrag att gå igenom nämndens "
    "lokalförsörjningsplan för att hitta effektiviseringsmöjligheter och synergieffekter i "
    "lokalnyttjandet i syfte att få ned den totala kostnadsnivån för lokaler. Nämnderna får "
    "även i uppdrag att ta fram förslag till hur framtidens lokaler ska utformas för att stödja "
    "verksamheten på bästa sätt samtidigt som hög effektivitet i lokalnyttjandet uppnås.",
    "Att redovisa hur nämnden kommer att bidra till målet om att halvera etableringstiden för "
    "nyanlända gällande inträde på arbetsmarknaden.",
    "Att redovisa hur nämnden kommer att bidra till målet om förkorta etableringstiden "
    "gällande delaktighet i samhället.",
    "Redogör vad nämnden planerar att göra för att utveckla sitt arbete för att skapa en "
    "sammanhållen kommun.",
    "Att säkerställa en hög tillgänglighet till Linköpings kommuns förvaltningar och "
    "verksamhet och föreslå åtgärder för en högre servicenivå. Möjligheter att erbjuda "
    "medborgarna kontakt och lösningar enligt principen ”digitalt först” ska ligga till grund "
    "för förslag på insatser.",
    "Att använda undersökningen ”Löpande Insikt” som en servicemätning av kommunens "
    "myndighetsutövning i enlighet med kommunstyrelsens beslut 2016 (KS 2016-02-09 § 46). "
    "Förutom områdena bygglov, markupplåtelse, miljö- och hälsoskydd, livsmedelskontroll och "
    "serveringstillstånd ska brandskydd omfattas av undersökningen vilket förutsätter att "
    "Räddningstjänsten Östra Götaland skickar in uppgifter för deltagande i servicemätning.",
    "Att mäta antalet anbudsgivare/upphandling och hur många av dessa som är små och "
    "medelstora (SME). Mätningen ska också ange hur många SME-företag som vunnit "
    "upphandlingarna.",
    "Att ställa krav på sysselsättning i de tjänster och entreprenader som upphandlas av "
    "förvaltningen där genomförandetiden överstiger 4 månader, det krävs minst 2 anställda för "
    "att genomföra och där det bedöms som lämpligt.",
    "Att utveckla verksamheten för en fortsatt minskning av antalet med långvarigt och mycket "
    "långvarigt ekonomiskt bistånd samt andel barn som ingår i familjer med långvarigt "
    "ekonomiskt bistånd. I uppdraget ingår att även att minska andelen återaktualiserade "
    "personer med försörjningsstöd ett år efter avslutat försörjningsstöd. Uppdraget ska "
    "genomföras tillsammans med bildningsnämnden och socialnämnden.",
    "Att redovisa indikatorer för näringsliv, integration och hållbarhet (social, ekonomisk "
    "och ekologisk).",
    "Att säkerställa mätning av tillgång till bredband i olika geografiska delar av kommunen.",
    "Att säkerställa att nya dataskyddsförordningen följs i hela kommunen.",
    "Att redovisa arbetet med ett koldioxidneutralt Linköping 2025 och ta fram indikatorer för "
    "insatser som görs för att nå målet.",
]


def test_every_assignment_of_the_section_in_printed_order() -> None:
    assert [a.title for a in assignments().assignments] == TITLES


def test_spot_check_the_sme_assignment_and_its_figures() -> None:
    a = by_title(TITLES[9])
    assert a.figures == [
        "procurement.bidders_per_procurement",
        "procurement.sme_share_of_bidders_with_known_size",
    ]
    assert (a.council_goals, a.focus_areas, a.indicators) == ([], [], [])
    assert a.answer == [
        "Mätning kommer att ske löpande och redovisas i ordinarie återrapportering av budget "
        "(tertial etc). Utfallet kommer att redovisas i storleksklasserna mikro, små och "
        "medelstora företag och gälla hela kommunen."
    ]
    assert a.due_wording is not None and a.due_wording.endswith("(tertial etc).")


def test_spot_check_the_employment_requirement_assignment() -> None:
    a = by_title(TITLES[10])
    assert a.figures == ["procurement.employment_requirement_set_and_signed"]
    assert a.answer[0].endswith(
        "Utfallet kommer att redovisas i antal upphandlingar där kraven har ställts och avtal "
        "har tecknats."
    )


def test_spot_check_the_broadband_assignment_and_its_indicator() -> None:
    a = by_title(TITLES[13])
    assert a.indicators == ["andel-med-tillgang-till-bredband-om-minst-100-mbit-s"]
    assert a.figures == [] and a.council_goals == []
    assert "totalt 85,11% av hushållen har tillgång till 100 Mbit/s" in a.answer[0]


def test_spot_check_competence_assignment_serves_goal_nine_through_its_focus_area() -> None:
    a = by_title(TITLES[0])
    assert (a.council_goals, a.focus_areas) == ([9], ["kompetensforsorjning"])
    assert a.answer[1] == (
        "Genom att organisera arbetet annorlunda kan både personal och verksamhet utvecklas och "
        "resurser användas effektivt."
    )
    areas = {f.code: f for f in register().focus_areas}
    assert areas["kompetensforsorjning"].council_goals == [9]  # "Koppling ... mål – 9"


def test_spot_check_cohesive_municipality_goal_seven() -> None:
    a = by_title(TITLES[6])
    assert a.council_goals == [7]
    assert a.addressed_to is AssignmentAddressee.ALL_BOARDS
    assert a.answer[0].startswith(
        "En prioriterad fråga och utmaning för kommunstyrelsen är att ha uppsikt"
    )
    assert "för att bidra till målet om en sammanhållen kommun" in a.answer[0]


def test_spot_check_carbon_neutral_goal_five_and_its_focus_area() -> None:
    a = by_title(TITLES[15])
    assert (a.council_goals, a.focus_areas) == ([5], ["hallbarhet-och-koldioxidneutralitet"])
    assert a.answer[-1].endswith("som kommer att implementeras med start under 2017.")
    assert len(a.answer) == 2  # "Trafikens klimatpåverkan ..." starts a line of its own


def test_spot_check_economic_aid_goals_one_and_seven_and_who_does_it() -> None:
    a = by_title(TITLES[11])
    assert a.council_goals == [1, 7]
    assert a.responsible == (
        "Uppdraget ska genomföras tillsammans med bildningsnämnden och socialnämnden."
    )
    assert (
        "En Utslussverksamhet överensstämmer med kommunens mål om en sammanhållen kommun"
        in (a.answer[1])
    )


def test_spot_check_requests_to_all_boards_and_a_group_of_boards() -> None:
    assert by_title(TITLES[2]).addressed_to is AssignmentAddressee.ALL_BOARDS
    assert by_title(TITLES[3]).addressed_to is AssignmentAddressee.SOME_BOARDS
    assert by_title(TITLES[1]).addressed_to is AssignmentAddressee.THIS_BOARD
    assert all(a.issued_by is AssignmentIssuer.COUNCIL for a in assignments().assignments)


def test_the_data_protection_list_keeps_its_items_on_lines_of_their_own() -> None:
    a = by_title(TITLES[14])
    assert str(a.due_date) == "2018-05-25"
    assert a.answer[1].split("\n") == [
        "Diarier",
        "Ärendeberedning",
        "Sociala medier",
        "Foton och filmer",
        "Publicering på Linweb och externa hemsidan",
        "Särskilda utmaningar i skolan",
        "Lagring och hantering av information (e-post, laptops, telefoner, gemensamma servrar etc)",
        "Offentlighet och sekretess kontra PuL/dataskyddsförordningen",
    ]


# ---- the file holds together with the register -------------------------------------------


def test_links_name_what_the_register_has_and_wordings_are_printed_text() -> None:
    reg = register()
    goals = {g.number for g in reg.council_goals}
    areas = {f.code for f in reg.focus_areas}
    fed = {i.fed_by for i in reg.indicators if i.fed_by}
    codes = {i.code for i in reg.indicators}
    body = assignments()
    assert (body.municipality_code, body.board_code) == (reg.municipality_code, reg.board_code)
    assert len({a.code for a in body.assignments}) == len(body.assignments) == 16
    for a in body.assignments:
        assert set(a.council_goals) <= goals and set(a.focus_areas) <= areas, a.code
        assert set(a.indicators) <= codes and set(a.figures) <= fed, a.code
        text = " ".join([a.title, *a.answer])
        for wording in (a.due_wording, a.responsible):
            assert wording is None or wording in text, a.code
