"""Side streams ("haves") and needs ("wants"), and the rules a listing must satisfy."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from sidestream.domain.errors import FieldError, InvalidInput, field_error
from sidestream.domain.reference import ReferenceData
from sidestream.domain.units import QuantityUnit, check_unit, to_canonical

ALL_MONTHS = frozenset(range(1, 13))
DESCRIPTION_LANGUAGES = ("fi", "sv", "en")
MAX_NAME_LENGTH = 200
MAX_TEXT_LENGTH = 5000
MAX_QUANTITY_AMOUNT = 1e9  # above any single side stream on Earth: a typo, not data
MAX_PRICE_EUR_PER_UNIT = 1e6
MAX_DISTANCE_KM = 5000.0


class PhysicalForm(StrEnum):
    SOLID = "solid"
    SLUDGE = "sludge"
    LIQUID = "liquid"
    GAS = "gas"
    ENERGY = "energy"


class Recurrence(StrEnum):
    CONTINUOUS = "continuous"
    SEASONAL = "seasonal"
    ONE_OFF = "one_off"


class Visibility(StrEnum):
    """Who may see a listing (enforced in services, see domain.visibility)."""

    PRIVATE = "private"  # the owner organisation and facilitators
    PARTNERS = "partners"  # also the organisations the owner names
    PUBLIC_ANONYMOUS = "public_anonymous"  # class, code, quantity band, municipality only
    PUBLIC = "public"  # everything but costs


class ManagementRoute(StrEnum):
    LANDFILL = "landfill"
    STOCKPILE = "stockpile"
    RECOVERY_INTERNAL = "recovery_internal"
    RECOVERY_EXTERNAL = "recovery_external"
    SOLD = "sold"
    INCINERATION = "incineration"
    DISCHARGED = "discharged"  # e.g. heat to sea or air, gas vented
    OTHER = "other"


@dataclass(frozen=True)
class Quantity:
    """How much, in which unit and when. `amount` is the central (expected) value; `low` and
    `high`, when the producer or receiver knows the quantity only as a range, bound it in the
    same unit and recurrence (low <= amount <= high)."""

    amount: float
    unit: QuantityUnit
    recurrence: Recurrence
    months: frozenset[int] = ALL_MONTHS  # months of availability or of need
    low: float | None = None
    high: float | None = None

    @property
    def range(self) -> tuple[float, float]:
        """(low, high), each falling back to the amount when not given."""
        return (
            self.amount if self.low is None else self.low,
            self.amount if self.high is None else self.high,
        )


@dataclass(frozen=True)
class MeasuredProperty:
    property_code: str
    value: float
    unit: str
    method: str  # standard or laboratory method, e.g. "EN 196-2"
    measured_on: date
    laboratory: str = ""  # who measured it, when a laboratory's file says so


@dataclass(frozen=True)
class PropertyLimit:
    property_code: str
    unit: str
    min_value: float | None = None
    max_value: float | None = None


@dataclass
class SideStream:
    organisation_id: int
    site_id: int
    name: str
    material_class_code: str
    physical_form: PhysicalForm
    quantity: Quantity
    management_route: ManagementRoute
    visibility: Visibility
    valid_until: date
    ewc_code: str | None = None
    is_hazardous: bool = False  # derived from the List of Waste, never entered
    hazard_assessment_basis: str | None = None
    hazard_assessed_on: date | None = None
    description: str | None = None
    description_lang: str | None = None
    temperature_c: float | None = None
    max_distance_km: float | None = None  # how far the producer would deliver; None: no limit
    properties: tuple[MeasuredProperty, ...] = ()
    management_cost_eur_per_unit: float | None = None
    asking_price_eur_per_unit: float | None = None
    stream_id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def is_expired(self, today: date) -> bool:
        return self.valid_until < today

    def with_identity_of(self, stored: SideStream) -> SideStream:
        """This content under a stored stream's id and timestamps (to compare or update it)."""
        return replace(
            self,
            stream_id=stored.stream_id,
            created_at=stored.created_at,
            updated_at=stored.updated_at,
        )


@dataclass
class Need:
    organisation_id: int
    site_id: int
    name: str
    quantity: Quantity
    max_distance_km: float
    visibility: Visibility
    valid_until: date
    accepted_material_class_codes: tuple[str, ...] = ()
    accepted_ewc_codes: tuple[str, ...] = ()
    replaces_virgin_material_code: str | None = None
    accepts_hazardous: bool = False
    min_temperature_c: float | None = None
    property_limits: tuple[PropertyLimit, ...] = ()
    willingness_to_pay_eur_per_unit: float | None = None
    description: str | None = None
    description_lang: str | None = None
    need_id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def is_expired(self, today: date) -> bool:
        return self.valid_until < today

    def with_identity_of(self, stored: Need) -> Need:
        """This content under a stored need's id and timestamps (to compare or update it)."""
        return replace(
            self, need_id=stored.need_id, created_at=stored.created_at, updated_at=stored.updated_at
        )


@dataclass
class _Findings:
    """Collects every broken rule of a record instead of stopping at the first."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_name: str, template: str, **params: object) -> None:
        """Record a broken rule: the reason's template and its values (see field_error)."""
        self.errors.append(field_error(field_name, template, params))

    @contextmanager
    def checking(self) -> Iterator[None]:
        try:
            yield
        except InvalidInput as error:
            self.errors.extend(error.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)


def _check_text(findings: _Findings, field_name: str, text: str | None, limit: int) -> None:
    if text is not None and len(text) > limit:
        findings.add(
            field_name,
            "is {length} characters long; at most {limit} are allowed",
            length=len(text),
            limit=limit,
        )


def _check_common(
    findings: _Findings,
    name: str,
    description: str | None,
    description_lang: str | None,
    quantity: Quantity,
) -> None:
    if not name.strip():
        findings.add("name", "must not be empty")
    _check_text(findings, "name", name, MAX_NAME_LENGTH)
    _check_text(findings, "description", description, MAX_TEXT_LENGTH)
    if description and description_lang not in DESCRIPTION_LANGUAGES:
        findings.add("description_lang", "must be fi, sv or en when a description is given")
    _check_quantity(findings, quantity)


def _check_quantity(findings: _Findings, quantity: Quantity) -> None:
    if not math.isfinite(quantity.amount) or quantity.amount <= 0:
        findings.add("quantity_amount", "{amount} is not a positive amount", amount=quantity.amount)
    elif quantity.amount > MAX_QUANTITY_AMOUNT:
        findings.add(
            "quantity_amount",
            "{amount} exceeds {limit}",
            amount=f"{quantity.amount:g}",
            limit=f"{MAX_QUANTITY_AMOUNT:g}",
        )
    _check_quantity_range(findings, quantity)
    is_batch = quantity.unit is QuantityUnit.TONNES_PER_BATCH
    if is_batch != (quantity.recurrence is Recurrence.ONE_OFF):
        findings.add("quantity_unit", "t/batch is used for one_off batches, and only for them")
    if not quantity.months <= ALL_MONTHS:
        findings.add("recurrence_months", "months are numbered 1 to 12")
    elif quantity.recurrence is Recurrence.SEASONAL and not 0 < len(quantity.months) < 12:
        findings.add("recurrence_months", "a seasonal listing names 1 to 11 months")


def _check_quantity_range(findings: _Findings, quantity: Quantity) -> None:
    """low <= amount <= high, each bound finite and not negative (a bound may be zero)."""
    amount_is_valid = math.isfinite(quantity.amount) and quantity.amount > 0
    if quantity.low is not None:
        low = quantity.low
        if not math.isfinite(low) or low < 0:
            findings.add("quantity_low", "{amount} is not an amount of zero or more", amount=low)
        elif amount_is_valid and low > quantity.amount:
            findings.add(
                "quantity_low",
                "{low} exceeds quantity_amount {amount}",
                low=f"{low:g}",
                amount=f"{quantity.amount:g}",
            )
    if quantity.high is not None:
        high = quantity.high
        if not math.isfinite(high) or high < 0:
            findings.add("quantity_high", "{amount} is not an amount of zero or more", amount=high)
        elif amount_is_valid and high < quantity.amount:
            findings.add(
                "quantity_high",
                "{high} is below quantity_amount {amount}",
                high=f"{high:g}",
                amount=f"{quantity.amount:g}",
            )
        elif high > MAX_QUANTITY_AMOUNT:
            findings.add(
                "quantity_high",
                "{amount} exceeds {limit}",
                amount=f"{high:g}",
                limit=f"{MAX_QUANTITY_AMOUNT:g}",
            )


def _check_money(findings: _Findings, field_name: str, value: float | None) -> None:
    if value is not None and (not math.isfinite(value) or abs(value) > MAX_PRICE_EUR_PER_UNIT):
        findings.add(
            field_name,
            "{value} is not a price between ±{limit} EUR",
            value=value,
            limit=f"{MAX_PRICE_EUR_PER_UNIT:g}",
        )


def check_side_stream(stream: SideStream, reference: ReferenceData, today: date) -> SideStream:
    """Return the stream with derived fields set, or raise InvalidInput listing every problem."""
    findings = _Findings()
    _check_common(
        findings, stream.name, stream.description, stream.description_lang, stream.quantity
    )
    material_class = None
    with findings.checking():
        material_class = reference.material_class(stream.material_class_code)
    form = stream.physical_form
    if material_class is not None:
        if material_class.is_heat and form is not PhysicalForm.ENERGY:
            findings.add(
                "physical_form", "{name} is an energy stream: use energy", name=material_class.name
            )
        if material_class.group == "gas" and form not in (PhysicalForm.GAS, PhysicalForm.LIQUID):
            findings.add(
                "physical_form", "{name} is a gas: use gas or liquid", name=material_class.name
            )
        if not material_class.is_energy_or_gas and form in (PhysicalForm.GAS, PhysicalForm.ENERGY):
            findings.add(
                "physical_form",
                "{name} is a material: use solid, sludge or liquid",
                name=material_class.name,
            )
    is_energy = form is PhysicalForm.ENERGY
    if is_energy != (stream.quantity.unit is QuantityUnit.MWH_PER_YEAR):
        findings.add("quantity_unit", "energy streams are given in MWh/yr, and only they")
    if is_energy and stream.temperature_c is None:
        findings.add("temperature_c", "a heat stream needs its supply temperature")
    if stream.temperature_c is not None and not -50 <= stream.temperature_c <= 2000:
        findings.add(
            "temperature_c",
            "{temperature} °C is outside -50..2000",
            temperature=stream.temperature_c,
        )

    is_hazardous = False
    if stream.ewc_code is None:
        if form in (PhysicalForm.SOLID, PhysicalForm.SLUDGE) or (
            form is PhysicalForm.LIQUID and material_class and not material_class.is_energy_or_gas
        ):
            findings.add("ewc_code", "a material stream needs its List of Waste code")
    else:
        with findings.checking():
            waste_code = reference.waste_code(stream.ewc_code)
            is_hazardous = waste_code.is_hazardous
            if waste_code.is_mirror_entry and not (
                stream.hazard_assessment_basis and stream.hazard_assessed_on
            ):
                findings.add(
                    "hazard_assessment_basis",
                    "{code} is a mirror entry: record how the hazard was assessed (basis and date)",
                    code=waste_code.display_code,
                )
    if stream.hazard_assessed_on is not None and stream.hazard_assessed_on > today:
        findings.add("hazard_assessed_on", "lies in the future")
    _check_text(
        findings, "hazard_assessment_basis", stream.hazard_assessment_basis, MAX_TEXT_LENGTH
    )
    if stream.max_distance_km is not None and not 0 < stream.max_distance_km <= MAX_DISTANCE_KM:
        findings.add(
            "max_distance_km",
            "{distance} is not within 0..{limit} km",
            distance=stream.max_distance_km,
            limit=f"{MAX_DISTANCE_KM:g}",
        )
    _check_properties(findings, stream.properties, reference, today)
    _check_money(findings, "management_cost_eur_per_unit", stream.management_cost_eur_per_unit)
    _check_money(findings, "asking_price_eur_per_unit", stream.asking_price_eur_per_unit)
    findings.raise_if_any()
    stream.is_hazardous = is_hazardous
    return stream


def check_measured_properties(
    properties: tuple[MeasuredProperty, ...], reference: ReferenceData, today: date
) -> tuple[MeasuredProperty, ...]:
    """New measurements of a stream, checked as the stream's own are; InvalidInput names
    every problem."""
    findings = _Findings()
    _check_properties(findings, properties, reference, today)
    findings.raise_if_any()
    return properties


def _check_properties(
    findings: _Findings,
    properties: tuple[MeasuredProperty, ...],
    reference: ReferenceData,
    today: date,
) -> None:
    seen: set[tuple[str, date, str]] = set()
    for measured in properties:
        field_name = f"properties.{measured.property_code}"
        with findings.checking():
            definition = reference.property_definition(measured.property_code, "properties")
            check_unit(definition.dimension, measured.unit, field_name)
            _check_physical_range(definition.dimension, measured.value, measured.unit, field_name)
        if not measured.method.strip():
            findings.add(field_name, "needs the method or standard it was measured with")
        if measured.measured_on > today:
            findings.add(
                field_name, "measured on {day}, which is in the future", day=measured.measured_on
            )
        key = (measured.property_code, measured.measured_on, measured.method)
        if key in seen:
            findings.add(field_name, "is given twice for the same date and method")
        seen.add(key)


def _check_physical_range(dimension: str, value: float, unit: str, field_name: str) -> None:
    if not math.isfinite(value):
        raise InvalidInput.single(field_name, f"{value} is not a number")
    canonical = to_canonical(value, unit, dimension)
    if dimension == "mass_fraction" and not 0 <= canonical <= 1_000_000:
        raise InvalidInput.single(field_name, f"{value} {unit} is not between 0 and 100 %")
    if dimension == "volume_fraction" and not 0 <= canonical <= 100:
        raise InvalidInput.single(field_name, f"{value} {unit} is not between 0 and 100 %")
    if dimension == "dimensionless" and field_name.endswith(".ph") and not 0 <= value <= 14:
        raise InvalidInput.single(field_name, f"pH {value} is outside 0..14")
    if dimension in ("length", "density", "stress", "velocity", "conductivity") and value < 0:
        raise InvalidInput.single(field_name, f"{value} {unit} cannot be negative")


def check_need(need: Need, reference: ReferenceData) -> Need:
    """Return the need, or raise InvalidInput listing every problem."""
    findings = _Findings()
    _check_common(findings, need.name, need.description, need.description_lang, need.quantity)
    if not (
        need.accepted_material_class_codes
        or need.accepted_ewc_codes
        or need.replaces_virgin_material_code
    ):
        findings.add(
            "accepted_material_class_codes",
            "name accepted material classes, accepted waste codes or the virgin material replaced",
        )
    for code in need.accepted_material_class_codes:
        with findings.checking():
            reference.material_class(code, "accepted_material_class_codes")
    for code in need.accepted_ewc_codes:
        with findings.checking():
            entry = reference.waste_code(code, "accepted_ewc_codes")
            if entry.is_hazardous and not need.accepts_hazardous:
                findings.add(
                    "accepted_ewc_codes",
                    "{code} is hazardous but accepts_hazardous is false",
                    code=entry.display_code,
                )
    if need.replaces_virgin_material_code is not None:
        with findings.checking():
            reference.virgin_material(
                need.replaces_virgin_material_code, "replaces_virgin_material_code"
            )
    if not math.isfinite(need.max_distance_km) or not 0 < need.max_distance_km <= MAX_DISTANCE_KM:
        findings.add(
            "max_distance_km",
            "{distance} is not within 0..{limit} km",
            distance=need.max_distance_km,
            limit=f"{MAX_DISTANCE_KM:g}",
        )
    if need.min_temperature_c is not None and not -50 <= need.min_temperature_c <= 2000:
        findings.add(
            "min_temperature_c",
            "{temperature} °C is outside -50..2000",
            temperature=need.min_temperature_c,
        )
    seen: set[str] = set()
    for limit in need.property_limits:
        field_name = f"property_limits.{limit.property_code}"
        if limit.property_code in seen:
            findings.add(field_name, "is limited twice; give one minimum and/or one maximum")
        seen.add(limit.property_code)
        with findings.checking():
            definition = reference.property_definition(limit.property_code, "property_limits")
            check_unit(definition.dimension, limit.unit, field_name)
            for bound in (limit.min_value, limit.max_value):
                if bound is not None:
                    _check_physical_range(definition.dimension, bound, limit.unit, field_name)
        if limit.min_value is None and limit.max_value is None:
            findings.add(field_name, "needs a minimum or a maximum")
        if (
            limit.min_value is not None
            and limit.max_value is not None
            and limit.min_value > limit.max_value
        ):
            findings.add(
                field_name,
                "minimum {minimum} exceeds maximum {maximum}",
                minimum=limit.min_value,
                maximum=limit.max_value,
            )
    _check_money(findings, "willingness_to_pay_eur_per_unit", need.willingness_to_pay_eur_per_unit)
    findings.raise_if_any()
    return need
