"""The incident's choice lists (GBVIMS and MARA vocabularies), kept out of the model's module
so that it stays readable; the model exposes each one under its old name (`Incident.Status`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    RETURNED = "returned", _("Returned to reporter")
    CLOSED = "closed", _("Closed")


class VerificationStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    PENDING = "pending", _("Verification pending")
    VERIFIED = "verified", _("Verified")
    COULD_NOT_BE_VERIFIED = "could_not_be_verified", _("Could not be verified")
    DID_NOT_OCCUR = "did_not_occur", _("Did not occur")


class VerificationMethod(models.TextChoices):
    SURVIVOR_INTERVIEW = "survivor_interview", _("Interview with the survivor")
    WITNESS_INTERVIEW = "witness_interview", _("Interview with witnesses")
    MEDICAL_RECORDS = "medical_records", _("Medical or health-facility records")
    SITE_VISIT = "site_visit", _("Site visit")
    MULTIPLE_SOURCES = "multiple_sources", _("Corroboration by independent sources")
    OTHER = "other", _("Other")


class SourceChannel(models.TextChoices):
    SURVIVOR = "survivor", _("Survivor")
    WITNESS = "witness", _("Witness")
    COMMUNITY_ALERT_NETWORK = "community_alert_network", _("Community Alert Network")
    CLA = "cla", _("Community Liaison Assistant")
    PATROL = "patrol", _("Patrol")
    UNPOL = "unpol", _("UN Police")
    HEALTH_FACILITY = "health_facility", _("Health facility")
    NGO = "ngo", _("NGO")
    MEDIA = "media", _("Media or open source")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact day")
    MONTH = "month", _("Month only")
    RANGE = "range", _("Date range")


class DelayBand(models.TextChoices):
    DAYS_0_3 = "0_3", _("0-3 days")
    DAYS_4_5 = "4_5", _("4-5 days")
    DAYS_6_14 = "6_14", _("6-14 days")
    DAYS_15_30 = "15_30", _("15-30 days")
    OVER_30 = "over_30", _("Over a month")


class TimeOfDay(models.TextChoices):
    MORNING = "morning", _("Morning (sunrise to noon)")
    AFTERNOON = "afternoon", _("Afternoon (noon to sunset)")
    EVENING_NIGHT = "evening_night", _("Evening or night (sunset to sunrise)")
    UNKNOWN = "unknown", _("Unknown")


class LocationType(models.TextChoices):
    HOME = "home", _("Survivor's home")
    PERPETRATOR_HOME = "perpetrator_home", _("Perpetrator's home")
    ROAD = "road", _("Road or street")
    BUSH = "bush", _("Bush, forest or open land")
    FIELD = "field", _("Field or garden")
    WATER_POINT = "water_point", _("Water point or river")
    MARKET = "market", _("Market")
    SCHOOL = "school", _("School")
    HEALTH_FACILITY = "health_facility", _("Health facility")
    IDP_SITE = "idp_site", _("Displacement site or camp")
    DETENTION = "detention", _("Detention facility")
    ARMED_GROUP_POSITION = "armed_group_position", _("Military or armed-group position")
    CHECKPOINT = "checkpoint", _("Checkpoint")
    MINE = "mine", _("Mining site")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class DisplacementStage(models.TextChoices):
    NOT_DISPLACED = "not_displaced", _("Not displaced / host community")
    PRE_DISPLACEMENT = "pre_displacement", _("Before displacement")
    DURING_FLIGHT = "during_flight", _("During flight")
    DURING_REFUGE = "during_refuge", _("During refuge (in displacement)")
    DURING_RETURN = "during_return", _("During return or transit")
    POST_DISPLACEMENT = "post_displacement", _("After displacement")
    UNKNOWN = "unknown", _("Unknown")


class ConflictNexus(models.TextChoices):
    PERPETRATOR_AFFILIATION = (
        "perpetrator_affiliation",
        _("Perpetrator affiliated with a party to the conflict"),
    )
    VICTIM_PROFILE = "victim_profile", _("Victim targeted as a member of a persecuted group")
    CLIMATE_OF_IMPUNITY = "climate_of_impunity", _("Climate of impunity or state collapse")
    CROSS_BORDER = "cross_border", _("Cross-border consequences (displacement, trafficking)")
    CEASEFIRE_VIOLATION = "ceasefire_violation", _("Violation of a ceasefire or agreement")
    UNCLEAR = "unclear", _("Not yet established")


class Context(models.TextChoices):
    ATTACK_ON_LOCALITY = "attack_on_locality", _("Attack on a locality")
    DETENTION = "detention", _("Detention")
    CHECKPOINT = "checkpoint", _("Checkpoint")
    ABDUCTION = "abduction", _("Abduction")
    MILITARY_OPERATION = "military_operation", _("Military operation")
    IDP_SITE = "idp_site", _("In or around a displacement site")
    FLIGHT = "flight", _("During flight")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class GbvimsType(models.TextChoices):
    RAPE = "rape", _("Rape")
    SEXUAL_ASSAULT = "sexual_assault", _("Sexual assault")
    PHYSICAL_ASSAULT = "physical_assault", _("Physical assault")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    DENIAL_OF_RESOURCES = "denial_of_resources", _("Denial of resources, opportunities or services")
    PSYCHOLOGICAL_ABUSE = "psychological_abuse", _("Psychological or emotional abuse")
    NON_GBV = "non_gbv", _("Not classified (non-GBV)")
