#!/usr/bin/env python3
"""The bookings feed read by a real iCalendar parser (Python's icalendar), as a phone would.

Books a session through the API, fetches /api/v1/bookings.ics and checks the event it parses.
Usage: calendar_feed.py URL PASSWORD
"""
import json
import sys
import urllib.request

import icalendar

URL, PASSWORD = sys.argv[1], sys.argv[2]


def call(path, body=None, token=None):
    request = urllib.request.Request(URL + path, data=json.dumps(body).encode() if body else None,
                                     method="POST" if body else "GET")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=20) as response:
        return response.read()


token = json.loads(call("/api/v1/login", {"username": "kythuat", "password": PASSWORD}))["token"]
title = "Hội nghị trực tuyến, quý IV; \"chuyển đổi số\" — một tiêu đề dài hơn bảy mươi lăm byte để phải gập dòng"
call("/api/v1/bookings", {"room": "ubnd", "start": "2031-01-05 08:00", "end": "2031-01-05 10:30",
                          "organizer": "UBND tỉnh", "chair": "chair@thanhhoa.gov.vn", "title": title}, token)
calendar = icalendar.Calendar.from_ical(call("/api/v1/bookings.ics", token=token))
events = [event for event in calendar.walk("VEVENT") if str(event.get("SUMMARY")) == title]
failures = 0
for ok, what in [
    (len(events) == 1, "the booking is one event with its title intact"),
    (events and (events[0].decoded("DTEND") - events[0].decoded("DTSTART")).total_seconds() == 9000,
     "it lasts 2 h 30 min"),
    (events and "chair@thanhhoa.gov.vn" in str(events[0].get("DESCRIPTION")), "the chair site is in the description"),
]:
    print(("ok   " if ok else "FAIL ") + "calendar feed: " + what, flush=True)
    failures += 0 if ok else 1
sys.exit(1 if failures else 0)
