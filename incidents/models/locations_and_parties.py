"""Reference data of the monitoring track: locations (admin levels, p-codes) and parties."""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Func, Q
from django.db.models.functions import Collate, Upper
from django.utils.translation import gettext_lazy as _

PCODE_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9_-]{2,20}$", _("A p-code is 2-20 letters, digits, '-' or '_', e.g. CD61.")
)


class FoldedName(Func):
    """`incidents_fold(name)`: the name as searched, lower case, without accents, its words
    separated by single spaces ("Kalehe-Centre" -> "kalehe centre"). The SQL function is made by
    migration incidents/0009; `incidents.selectors.location_search.fold` is its Python twin."""

    function = "incidents_fold"
    output_field = models.TextField()


class NameLexemes(Func):
    """`incidents_location_lexemes(folded name)`: its words, and every tail of three letters or
    more of each word marked with "~", as a tsvector: a prefix query on it finds a word start or
    any part of a word, through a GIN index (the embedded PostgreSQL has no pg_trgm)."""

    function = "incidents_location_lexemes"
    output_field = SearchVectorField()


class Location(models.Model):
    """A place in the administrative hierarchy (OCHA common operational dataset), by p-code.

    Admin level 1 is a province (Nord-Kivu), 2 a territory or city (Masisi, Goma), 3 a sector,
    chiefdom or locality, 4 a village. Levels below 2 are "exact locations": analysts see an
    incident's location coarsened to level 2. Loaded by `manage.py load_locations`.
    """

    class AdminLevel(models.IntegerChoices):
        PROVINCE = 1, _("Admin level 1 (province)")
        TERRITORY = 2, _("Admin level 2 (territory or city)")
        LOCALITY = 3, _("Admin level 3 (sector, chiefdom or locality)")
        VILLAGE = 4, _("Admin level 4 (village)")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pcode = models.CharField(_("p-code"), max_length=20, unique=True, validators=[PCODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=200)
    admin_level = models.PositiveSmallIntegerField(_("admin level"), choices=AdminLevel.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    class Meta:
        ordering = ["pcode"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        # The location search (selectors.location_search) on a country's 100,000 villages: a
        # name's start and a p-code's start in byte order (LIKE 'x%' and ORDER BY ... LIMIT walk
        # them in any database collation), and any part of a word.
        indexes = [
            models.Index(Collate(FoldedName("name"), "C"), name="location_folded_name"),
            models.Index(Collate(Upper("pcode"), "C"), name="location_pcode_upper"),
            GinIndex(NameLexemes(FoldedName("name")), name="location_name_lexemes"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(admin_level__gte=1, admin_level__lte=4),
                name="location_admin_level_1_to_4",
            ),
            models.CheckConstraint(
                condition=Q(admin_level=1, parent__isnull=True) | Q(admin_level__gt=1, parent__isnull=False),
                name="location_parent_iff_below_level_1",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    # explicit: a NULL longitude would make the range test NULL, which passes
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="location_point_complete_and_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestor_at_level(self, level: int) -> Location:
        """This location, or its ancestor at `level` when this one is finer (walks `parent`).

        Select `parent__parent` with the query to make this free of extra queries.
        """
        location = self
        while location.admin_level > level and location.parent is not None:
            location = location.parent
        return location


class PartyToConflict(models.Model):
    """A named armed force or group (FARDC, M23/AFC, ADF, CODECO, ...), for MARA reporting.

    `listed_in_sg_annex`: listed in the annex of the Secretary-General's annual report on
    conflict-related sexual violence. Managed by administrators; deactivated, never deleted,
    once incidents refer to it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    aliases = ArrayField(
        models.CharField(max_length=200),
        default=list,
        blank=True,
        verbose_name=_("aliases"),
        help_text=_("Other names and acronyms, separated by commas."),
    )
    listed_in_sg_annex = models.BooleanField(_("listed in the Secretary-General's annex"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("party to the conflict")
        verbose_name_plural = _("parties to the conflict")

    def __str__(self) -> str:
        return self.name
