"""The monthly chain adaptation on the deployed template: schedule, what it keeps in S3, and intake
reading a chain's unrated reviews with the adopted adaptation (rated ones follow their stars)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

from clinic_reviews.domain.review import ReviewKey

from .conftest import review

PRAISE = "Спасибо большое, всё очень понравилось, врач внимательный и вежливый, всем рекомендую"


def test_the_monthly_job_keeps_the_base_model_on_too_few_rated_reviews_and_says_why(aws):
    aws.invoke("IntakeFunction", {"reviews": [
        review(f"l-{i}", rating=5 if i % 2 else 1, text=PRAISE if i % 2 else "Хамство и очереди, ужас",
               created_at="2026-12-07T06:50:00Z") for i in range(12)]})
    schedule = aws.stack.resources["LearnFunctionMonthly"].properties
    assert schedule["ScheduleExpression"] == "cron(0 3 2 * ? *)"
    assert json.loads(schedule["Target"]["Input"]) == {"chain_id": "zdorovie"}
    aws.advance_to(datetime(2027, 1, 2, 0, 0, tzinfo=UTC))  # 03:00 on 2 January in Moscow
    result = aws.run_schedule("LearnFunctionMonthly")
    assert result["adopted"] is False and result["reviews"] == 12 and "too few" in result["reason"]
    bucket = aws.outputs["ArchiveBucketName"]
    keys = {o["Key"] for o in aws.client("s3").list_objects_v2(Bucket=bucket, Prefix="models/").get("Contents", [])}
    assert keys == {"models/zdorovie/learn.json"}
    kept = json.loads(aws.client("s3").get_object(Bucket=bucket, Key="models/zdorovie/learn.json")["Body"].read())
    assert kept["chain_id"] == "zdorovie" and kept["adopted"] is False


def test_intake_reads_unrated_reviews_with_the_chains_adaptation(aws):
    from clinic_reviews import compose
    from clinic_reviews.settings import get_settings

    bucket = aws.outputs["ArchiveBucketName"]
    leaning_negative = {"bias": [40.0, 0.0, 0.0], "weights": {}}  # a chain whose model reads everything as a complaint
    aws.client("s3").put_object(Bucket=bucket, Key="models/zdorovie/adaptation.json.gz",
                                Body=gzip.compress(json.dumps(leaning_negative).encode()))
    aws.invoke("IntakeFunction", {"reviews": [review("unrated", source="site", rating=None, text=PRAISE),
                                              review("rated", source="site", rating=5, text=PRAISE)]})
    repository = compose.Table(get_settings()).reviews
    unrated = repository.get(ReviewKey("msk-arbat", "site", "unrated"))
    rated = repository.get(ReviewKey("msk-arbat", "site", "rated"))
    assert unrated.classification.sentiment == "negative"
    assert rated.classification.sentiment == "positive"
