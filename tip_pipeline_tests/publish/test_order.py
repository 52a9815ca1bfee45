"""Years published in year order (``publish.order``): which earlier years a year waits for,
and the wait itself, on a clock the test turns."""

from tip_pipeline.publish.order import InFlight, earlier_in_flight, still_waiting, wait_for_earlier


def test_a_year_waits_for_the_earlier_years_in_flight_only():
    runs = [
        InFlight("a", "2021-22"),
        InFlight("b", "2020-21"),
        InFlight("c", "2023-24"),  # later: never waited for
        InFlight("d", "2022-23"),  # the year itself, another run: a rerun, not an earlier year
        InFlight("e", "2021-22"),  # two runs of one year: named once
    ]
    assert earlier_in_flight("2022-23", runs, own_run="own") == ["2020-21", "2021-22"]
    assert earlier_in_flight("2020-21", runs, own_run="own") == []


def test_a_run_never_waits_for_itself():
    assert earlier_in_flight("2022-23", [InFlight("own", "2021-22")], own_run="own") == []


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_wait_ends_when_the_earlier_years_are_over():
    clock = Clock()
    answers = [["2020-21", "2021-22"], ["2021-22"], ["2021-22"], []]
    told = []
    left = wait_for_earlier(
        lambda: answers.pop(0),
        timeout_s=100,
        poll_s=5,
        sleep=clock.sleep,
        clock=lambda: clock.now,
        waiting=told.append,
    )
    assert left == []
    assert clock.slept == [5, 5, 5]
    assert told == [["2020-21", "2021-22"], ["2021-22"]]  # told when the years change


def test_the_wait_gives_up_after_its_time_with_the_years_still_in_flight():
    clock = Clock()
    left = wait_for_earlier(
        lambda: ["2020-21"], timeout_s=12, poll_s=5, sleep=clock.sleep, clock=lambda: clock.now
    )
    assert left == ["2020-21"]
    assert clock.slept == [5, 5, 2] and clock.now == 12
    message = still_waiting("2021-22", left, 12)
    assert message.startswith("2021-22 was not published: after 12 s the runs of 2020-21")


def test_no_wait_when_nothing_earlier_is_in_flight():
    clock = Clock()
    assert wait_for_earlier(lambda: [], 100, sleep=clock.sleep, clock=lambda: clock.now) == []
    assert clock.slept == []
