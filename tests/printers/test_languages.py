"""The contract every language driver keeps, checked for each one in the registry: a new language module
passes these or it is not done."""

from __future__ import annotations

import pytest

from printers.decode import decode, detect_language
from printers.languages import LANGUAGES, all_drivers, driver_for
from printers.profiles import get_profile
from printers.simulator.realtime import RealtimeScanner
from printers.status import PrinterStatus, StatusReply
from printers.testing import line_art


def test_an_unknown_language_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown printer language 'epl'; known: zpl, tspl, escpos"):
        driver_for("epl")


def test_the_registry_names_its_drivers() -> None:
    assert [driver.name for driver in all_drivers()] == list(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_job_is_detected_and_decoded_as_its_language(language: str) -> None:
    driver = driver_for(language)
    profile = get_profile(driver.default_profile)
    assert profile.language == language
    images = [line_art((400, 200), seed=1), line_art((400, 200), seed=2)]
    stream = b"".join(label.data for label in driver.encode_labels(images, profile))
    assert detect_language(stream[:64]) == language
    result = decode(stream, profile=profile)
    assert (result.language, len(result.labels), result.unknown) == (language, 2, [])
    alone = driver.opening(profile) + driver.encode_for_session(images[1], profile).data
    assert len(decode(alone, profile=profile).labels) == 1  # a label stands on its own after the opening


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "status",
    [PrinterStatus(), PrinterStatus(paper_end=True, online=False), PrinterStatus(printing=True)],
    ids=["ready", "paper-out", "printing"],
)
def test_what_a_printer_answers_the_host_parses_back(language: str, status: PrinterStatus) -> None:
    driver = driver_for(language)
    queries, request = driver.status_request()
    scanner = RealtimeScanner(language)
    assert [query for query, _ in scanner.feed(request)] == list(queries)  # the printer sees each query
    parser = driver.response_parser()
    for query in queries:
        parser.expect(query)
    replies = [reply for query in queries for reply in parser.feed(driver.answer(query, status))]
    status_replies = [reply for reply in replies if isinstance(reply, StatusReply)]
    assert len(replies) == len(queries) and status_replies == replies  # every reply is a StatusReply
    heard = status_replies[-1].status
    assert (heard.ready, heard.paper_end) == (status.ready, status.paper_end)
    if driver.busy_in_status:  # "printing" is what idle confirmation waits on
        assert heard.printing == status.printing
    assert parser.surplus == bytearray()
    assert driver.query_name(queries[0])
