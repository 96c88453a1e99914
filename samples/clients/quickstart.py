"""LstmService from Python with requests: upload a CSV series, train a model with the service's
defaults, read how it scored against the baselines, and forecast a year ahead with intervals.

    python3 samples/clients/quickstart.py [base-url]

The base URL defaults to http://localhost:5080 (`dotnet run --project src/Api`). For a service
with API keys, set LSTM_API_KEY to an admin key.
"""
import os
import pathlib
import sys
import time
import uuid

import requests

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://localhost:5080"
SAMPLE = pathlib.Path(__file__).resolve().parent.parent / "elec-equip.csv"

session = requests.Session()
if os.environ.get("LSTM_API_KEY"):
    session.headers["X-Api-Key"] = os.environ["LSTM_API_KEY"]


def answer(response):
    """The JSON of a success; for an error, the service's problem details as an exception."""
    if response.ok:
        return response.json() if response.content else None
    problem = response.json()
    raise RuntimeError(f"{response.status_code} {problem['title']} {problem.get('errors') or problem.get('detail')}")


def create(path, attempts=3, **kwargs):
    """POST that creates something, retried on a lost connection under one Idempotency-Key:
    a retry of a request that did arrive gets its first answer, not a second job."""
    headers = {"Idempotency-Key": str(uuid.uuid4()), **kwargs.pop("headers", {})}
    for attempt in range(attempts):
        try:
            return answer(session.post(f"{BASE}{path}", headers=headers, timeout=60, **kwargs))
        except requests.ConnectionError:
            if attempt == attempts - 1:
                raise
            time.sleep(2 ** attempt)


# 1. The series: monthly orders of electrical equipment, a date column and a value column.
dataset = create("/api/datasets/csv", params={"name": "elec-equip"},
                 data=SAMPLE.read_bytes(), headers={"Content-Type": "text/csv"})
print(f"dataset {dataset['id']}: {dataset['rows']} rows, spacing {dataset['timeSpacing']}, season {dataset['seasonLength']}")

# 2. A job with nothing but the dataset: the service picks the window, model size and epochs.
job = create("/api/jobs", json={"datasetId": dataset["id"]})
while job["status"] in ("queued", "running"):
    time.sleep(1)
    job = answer(session.get(f"{BASE}/api/jobs/{job['id']}"))
    print(f"  {job['status']}: {job['progress']['fraction']:.0%}")
if job["status"] != "succeeded":
    sys.exit(f"job {job['status']}: {job['error']}")

# 3. How good is it? One-step errors on the held-out months, beside the naive forecasts.
evaluation = job["evaluation"]
print(f"held-out RMSE: model {evaluation['metrics']['orders']['rmse']:.2f}, "
      f"naive {evaluation['baselines']['naive']['orders']['rmse']:.2f}, "
      f"seasonal naive {evaluation['baselines']['seasonalNaive']['orders']['rmse']:.2f}")

# 4. The next 12 months after the last 24, with 80% prediction intervals where calibrated.
history = [[float(line.split(",")[1])] for line in SAMPLE.read_text().splitlines()[-24:]]
forecast = answer(session.post(f"{BASE}/api/models/{job['modelId']}/forecast",
                               json={"history": history, "horizon": 12}))
for step, value in enumerate(forecast["forecast"], start=1):
    interval = ""
    if step <= forecast["intervalSteps"]:
        interval = f"  [{forecast['lower'][step - 1][0]:.1f}, {forecast['upper'][step - 1][0]:.1f}]"
    print(f"  month +{step:2}: {value[0]:.1f}{interval}")

# 5. A mistake is a 400 that names the field and what is wrong with it.
try:
    create("/api/jobs", json={"datasetId": dataset["id"], "training": {"epoch": 3}})
except RuntimeError as error:
    print(f"as expected: {error}")
