# Drives the explorer in headless Chromium (Debian chromium + chromium-driver)
# through Selenium: load the page, run a canned query, search an entity, open
# it, see an evidence sentence, expand the neighbourhood graph, open the
# evidence in its document. Screenshots go to the directory in argv[2].
import sys
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

url, shots = sys.argv[1], sys.argv[2]
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1400"]:
    options.add_argument(arg)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 30)


def shot(name):
    driver.save_screenshot(f"{shots}/{name}.png")


def no_error():
    error = driver.find_element(By.ID, "error")
    assert not error.is_displayed(), error.text


try:
    driver.get(url)
    # A canned query from examples/queries/, results as a table.
    wait.until(lambda d: len(Select(d.find_element(By.ID, "canned")).options) > 5)
    Select(driver.find_element(By.ID, "canned")).select_by_value("relation-evidence")
    assert "tk:RelationStatement" in driver.find_element(By.ID, "editor").get_attribute("value")
    driver.find_element(By.ID, "run").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#results table tbody tr")) > 3)
    no_error()
    headers = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#results th")]
    assert "sentence" in headers, headers
    shot("1-canned-query")

    # Entity search by label, then the entity page.
    driver.get(url + "#/search?q=okafor")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results a.entity-link"))
    links = driver.find_elements(By.CSS_SELECTOR, "#search-results a.entity-link")
    target = next(a for a in links if a.text == "Daniel Okafor")
    shot("2-search")
    target.click()
    wait.until(lambda d: d.find_element(By.ID, "entity-title").text == "Daniel Okafor")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#relations-out tr.relation"))
    no_error()
    assert "Person" in driver.find_element(By.ID, "entity-types").text
    assert "Okafor" in driver.find_element(By.ID, "entity-aliases").text
    evidence = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#relations-out .evidence-text")]
    assert any("proposed Halifax as the venue" in e for e in evidence), evidence
    confidences = [float(td.text) for td in driver.find_elements(By.CSS_SELECTOR, "#relations-out td.confidence")]
    assert confidences and all(0 <= c <= 1 for c in confidences), confidences

    # The neighbourhood graph: click a neighbour to expand it.
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#graph g.node")) > 1)
    before = len(driver.find_elements(By.CSS_SELECTOR, "#graph g.node"))
    expanded_before = len(driver.find_elements(By.CSS_SELECTOR, "#graph g.node.expanded"))
    shot("3-entity")
    neighbour = next(
        n for n in driver.find_elements(By.CSS_SELECTOR, "#graph g.node:not(.expanded)")
        if "ingrid-halvorsen" in n.get_attribute("data-iri")
    )
    driver.execute_script(
        "arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", neighbour
    )
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#graph g.node.expanded")) > expanded_before)
    after = len(driver.find_elements(By.CSS_SELECTOR, "#graph g.node"))
    assert after >= before, (before, after)
    no_error()
    shot("4-graph-expanded")

    # The evidence sentence highlighted in its document, mentions marked.
    link = next(a for a in driver.find_elements(By.CSS_SELECTOR, "#relations-out a.evidence-text")
                if "proposed Halifax" in a.text)
    link.click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#doc-text mark.evidence"))
    mark = driver.find_element(By.CSS_SELECTOR, "#doc-text mark.evidence").text
    assert mark.strip() == "Okafor, visibly relaxed, proposed Halifax as the venue for the next round.", mark
    mentions = driver.find_elements(By.CSS_SELECTOR, "#doc-text .mention")
    assert len(mentions) > 5, len(mentions)
    no_error()
    shot("5-document")
    print("explorer ok", before, after, len(mentions))
finally:
    driver.quit()
