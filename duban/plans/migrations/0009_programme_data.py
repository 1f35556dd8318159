"""Every stored file gets its region's programme of the year its text states (as an import would
give it), and every campaign the programme of its plans; a campaign whose plans lie in files of
several years is split, one campaign per programme (the latest keeps the row and what points to it)."""

from datetime import date

from django.db import migrations


def assign_programmes(apps, schema_editor):
    from duban.ingest.year import PlanYear, detect_year
    from duban.plans.programmes import programme_name, years_label

    SourceDocument = apps.get_model("plans", "SourceDocument")
    Programme = apps.get_model("plans", "Programme")
    Campaign = apps.get_model("plans", "Campaign")
    Plan = apps.get_model("plans", "Plan")
    db = schema_editor.connection.alias  # the database being migrated (a replica too), not the router's

    for doc in SourceDocument.objects.using(db).filter(programme__isnull=True).order_by("id"):
        plans = list(Plan.objects.using(db).filter(source_document=doc).order_by("order"))
        region = doc.region or next((p.region for p in plans if p.region_id), None)
        if region is None:
            continue
        titles = [(p.kind, p.title) for p in plans]
        found = detect_year(doc.text.split("\n"), [t for _, t in titles])
        if found is None:
            year = doc.ingested_at.year if doc.ingested_at else date.today().year
            found = PlanYear(year, year, evidence="文件未写明年度，按导入当年计")
        first, last = found.period()
        programme = Programme.objects.using(db).filter(
            region=region, start_year=found.start_year, end_year=found.end_year
        ).first()
        if programme is None:
            programme = Programme.objects.using(db).create(
                region=region,
                name=programme_name(region, years_label(found.start_year, found.end_year), titles)[:120],
                start_year=found.start_year,
                end_year=found.end_year,
                period_start=first,
                period_end=last,
                issued=found.issued,
                year_evidence=found.evidence[:300],
            )
        else:
            programme.period_start = min(programme.period_start, first)
            programme.period_end = max(programme.period_end, last)
            programme.save(using=db, update_fields=["period_start", "period_end"])
        doc.programme = programme
        doc.save(using=db, update_fields=["programme"])

    for campaign in Campaign.objects.using(db).filter(programme__isnull=True).order_by("id"):
        by_programme: dict[int, list[int]] = {}
        for plan_id, programme_id in Plan.objects.using(db).filter(campaign=campaign).values_list(
            "id", "source_document__programme_id"
        ):
            if programme_id is not None:
                by_programme.setdefault(programme_id, []).append(plan_id)
        if not by_programme:
            latest = Programme.objects.using(db).filter(region_id=campaign.region_id).order_by("-start_year").first()
            if (
                latest is not None
                and not Campaign.objects.using(db).filter(programme=latest, name=campaign.name).exists()
            ):
                campaign.programme = latest
                campaign.save(using=db, update_fields=["programme"])
            continue
        ordered = sorted(by_programme, key=lambda pk: Programme.objects.using(db).get(pk=pk).start_year)
        campaign.programme_id = ordered[-1]
        campaign.save(using=db, update_fields=["programme"])
        for programme_id in ordered[:-1]:
            twin = Campaign.objects.using(db).create(
                region_id=campaign.region_id,
                programme_id=programme_id,
                name=campaign.name,
                kind=campaign.kind,
            )
            Plan.objects.using(db).filter(pk__in=by_programme[programme_id]).update(campaign=twin)


class Migration(migrations.Migration):
    dependencies = [("plans", "0008_programme")]

    operations = [migrations.RunPython(assign_programmes, migrations.RunPython.noop)]
