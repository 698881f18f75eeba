#!/usr/bin/env python3
"""A technician's day in a real headless Chromium, against `hntt serve` on simulated rooms.

Logs in, sees the dashboard, runs power-on → test call → official session → shutdown from the
room page (confirming each dialog) and watches the test call's steps arrive live, writes an
incident, fixes and signs it, opens the print view. A viewer sees no procedure buttons. Every page
is checked for console errors; a screenshot of each is kept in SCREENSHOTS.

Usage: technician_day.py URL PASSWORD SCREENSHOTS
"""
import datetime
import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

URL, PASSWORD, SHOTS = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(SHOTS, exist_ok=True)
failures = []


def browser():
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1024,768",
                     "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


def shot(driver, name):
    driver.save_screenshot(os.path.join(SHOTS, name + ".png"))
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    check(not errors, f"{name}: no console errors {errors if errors else ''}")
    width = driver.execute_script("return document.documentElement.scrollWidth")
    check(width <= 1024, f"{name}: fits a 1024 px wide tablet (page is {width} px)")


def wait_for(driver, condition, seconds=40):
    return WebDriverWait(driver, seconds, poll_frequency=0.1).until(condition)


def log_in(driver, name):
    driver.delete_all_cookies()
    driver.get(URL + "/login")
    driver.find_element(By.ID, "username").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login").click()
    wait_for(driver, conditions.url_to_be(URL + "/"))


def run_procedure(driver, room, button, organizer=None, number=None, watch_live=False):
    driver.get(f"{URL}/rooms/{room}")
    if organizer:
        Select(driver.find_element(By.ID, "organizer")).select_by_visible_text(organizer)
    if number:
        field = driver.find_element(By.ID, "number")
        field.clear()
        field.send_keys(number)
    driver.find_element(By.ID, "run-" + button).click()
    alert = wait_for(driver, conditions.alert_is_present(), 5)
    alert.accept()
    wait_for(driver, conditions.presence_of_element_located((By.ID, "run-status")))
    status = driver.find_element(By.ID, "run-status")
    if watch_live:
        check(status.text == "Đang chạy", f"{button}: the run page opens while it runs ({status.text!r})")
        driver.execute_script("window.hnttSamePage = true")
        before = len(driver.find_elements(By.CSS_SELECTOR, "#run-steps li"))
    try:
        wait_for(driver, lambda d: d.find_element(By.ID, "run-status").text != "Đang chạy")
    except TimeoutException:
        pass
    final = driver.find_element(By.ID, "run-status").text
    if watch_live:
        after = len(driver.find_elements(By.CSS_SELECTOR, "#run-steps li"))
        same = driver.execute_script("return window.hnttSamePage === true")
        check(same and after > before,
              f"{button}: steps arrived while the page was open, without a reload ({before} → {after} steps)")
    check(final == "Thành công", f"{button}: finished as Thành công ({final!r}) "
          + driver.find_element(By.ID, "run-steps").text[-300:])
    steps = driver.find_element(By.ID, "run-steps").text
    check("đạt" in steps and ": ok" not in steps, f"{button}: the steps are shown in Vietnamese")
    shot(driver, f"run-{button}")


driver = browser()
try:
    driver.get(URL + "/")
    check(driver.current_url.endswith("/login"), "without a session the dashboard sends to the login page")
    shot(driver, "login")
    log_in(driver, "kythuat")
    rooms = driver.find_elements(By.CSS_SELECTOR, "article.room")
    check(len(rooms) >= 3, f"the dashboard shows the rooms ({len(rooms)})")
    check("Bảng điều khiển phòng họp" in driver.page_source, "the dashboard is in Vietnamese")
    shot(driver, "dashboard")

    run_procedure(driver, "ubnd", "power-on")
    run_procedure(driver, "ubnd", "test-call", organizer="UBND tỉnh", number="chair@thanhhoa.gov.vn",
                  watch_live=True)
    run_procedure(driver, "ubnd", "dial", organizer="UBND tỉnh", number="chair@thanhhoa.gov.vn")
    driver.get(URL + "/rooms/ubnd")
    check(driver.find_element(By.ID, "room-state").text == "Đang họp", "the room is in session")
    shot(driver, "room-in-session")
    run_procedure(driver, "ubnd", "shutdown")

    driver.get(URL + "/rooms/ubnd/logbook")
    driver.find_element(By.ID, "incident-what").send_keys("Micro đại biểu số 3 không lên tiếng <b>x</b>")
    Select(driver.find_element(By.ID, "incident-kind")).select_by_value("audio")
    driver.find_element(By.ID, "incident-add").click()
    wait_for(driver, conditions.presence_of_element_located((By.CSS_SELECTOR, "form.fix-form")))
    check("<b>x</b>" in driver.find_element(By.CSS_SELECTOR, "table.entries").text,
          "the incident's text is shown as written, not as markup")
    fix = driver.find_element(By.CSS_SELECTOR, "form.fix-form input[name=fix]")
    fix.send_keys("Thay pin micro không dây")
    fix.submit()
    wait_for(driver, lambda d: "Thay pin micro" in d.find_element(By.CSS_SELECTOR, "table.entries").text)
    signs = driver.find_elements(By.CSS_SELECTOR, "form.sign-form button")
    count = len(signs)
    signs[0].click()
    wait_for(driver, conditions.alert_is_present(), 5).accept()
    wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "form.sign-form button")) != count)
    check("kythuat ký xác nhận" in driver.find_element(By.CSS_SELECTOR, "table.entries").text,
          "the entry is signed by the logged-in technician")
    shot(driver, "logbook")

    driver.find_element(By.ID, "print-link").click()
    wait_for(driver, conditions.presence_of_element_located((By.TAG_NAME, "table")))
    check("Micro đại biểu số 3" in driver.page_source, "the print view has the incident")
    shot(driver, "logbook-print")
    with open(os.path.join(SHOTS, "logbook-print.pdf"), "wb") as pdf:
        import base64
        pdf.write(base64.b64decode(driver.print_page()))

    # The week view: book a session for tomorrow through the form; it is listed on its day.
    driver.get(URL + "/rooms/ubnd/bookings")
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    for field, value in (("booking-start", tomorrow + "T09:00"), ("booking-end", tomorrow + "T10:30")):
        # datetime-local inputs take their value from script: typing depends on the browser's locale.
        driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, field), value)
    driver.find_element(By.ID, "booking-organizer").send_keys("UBND tỉnh")
    driver.find_element(By.ID, "booking-chair").send_keys("1001@thanhhoa.gov.vn")
    driver.find_element(By.ID, "booking-title").send_keys("Giao ban <tuần>")
    driver.find_element(By.ID, "booking-add").click()
    wait_for(driver, lambda d: "week=" in d.current_url)
    wait_for(driver, lambda d: "09:00 – 10:30" in d.find_element(By.CSS_SELECTOR, "div.week").text)
    check("Giao ban <tuần>" in driver.find_element(By.CSS_SELECTOR, "div.week").text,
          "the booking is listed on its day, its title as text")
    shot(driver, "week")
    driver.get(URL + "/")
    check(driver.find_elements(By.ID, "alerts"), "the dashboard lists the alerts")
    check("Phiên họp tới" in driver.page_source, "the dashboard shows each room's next session")

    # The yearly report with the office's recommendations, made on the page as the printed document.
    driver.get(URL + "/report")
    driver.find_element(By.ID, "report-number").send_keys("12")
    driver.find_element(By.ID, "report-notes").send_keys("Đề nghị nâng cấp đường truyền <cấp xã>.")
    Select(driver.find_element(By.ID, "report-format")).select_by_value("html")
    driver.find_element(By.ID, "report-make").click()
    wait_for(driver, lambda d: "BÁO CÁO" in d.page_source)
    text = driver.find_element(By.TAG_NAME, "body").text
    check("Đề nghị nâng cấp đường truyền <cấp xã>." in text, "the report carries the recommendations as written")
    check("Số: 12/BC-" in text and "Nơi nhận:" in text and "Kính gửi:" in text,
          "the report has its number, recipients and addressee")
    shot(driver, "report")

    log_in(driver, "xem")
    driver.get(URL + "/rooms/ubnd")
    check(not driver.find_elements(By.ID, "run-power-on"), "a viewer sees no procedure buttons")
    shot(driver, "viewer-room")
finally:
    driver.quit()

print(f"{len(failures)} failure(s); screenshots in {SHOTS}")
sys.exit(1 if failures else 0)
