"""Read-only JSON representations of the directory. No user account ever appears here."""

from __future__ import annotations

from rest_framework import serializers

from .models import (
    Network,
    NetworkMembership,
    Organisation,
    Partner,
    PartnerStatement,
    Person,
    Portfolio,
    Position,
    Representation,
    Source,
    Unit,
)


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["key", "file_name", "title", "url", "language", "date", "date_stated", "note"]


class _FactFields(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="key", read_only=True)


class PositionSerializer(_FactFields):
    person = serializers.SlugRelatedField(slug_field="key", read_only=True)
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="key", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    title = serializers.CharField(read_only=True)

    class Meta:
        model = Position
        fields = [
            "key", "person", "person_name", "organisation", "unit", "title", "title_en",
            "title_fr", "title_nl", "is_head", "source", "is_current", "note",
        ]  # fmt: skip


class PortfolioSerializer(_FactFields):
    person = serializers.SlugRelatedField(slug_field="key", read_only=True)
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    # A portfolio follows a partner, a network or a topic: the other two are null.
    partner = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    network = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    topic = serializers.CharField(read_only=True)

    class Meta:
        model = Portfolio
        fields = [
            "key", "person", "person_name", "partner", "network", "topic", "topic_en",
            "topic_fr", "topic_nl", "as_written", "source", "is_current", "note",
        ]  # fmt: skip


class PartnerStatementSerializer(_FactFields):
    class Meta:
        model = PartnerStatement
        fields = ["relationship", "status", "as_written", "source", "is_current", "note"]


class MembershipSerializer(_FactFields):
    network = serializers.SlugRelatedField(slug_field="key", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = NetworkMembership
        fields = ["network", "organisation", "relation", "source", "is_current", "note"]


class OrganisationSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="directory-api:organisation-detail", lookup_field="key"
    )
    parent = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    source = serializers.SlugRelatedField(slug_field="key", read_only=True)
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "url", "key", "name", "name_en", "name_fr", "name_nl", "acronym", "aliases", "kind",
            "is_home", "parent", "description_en", "description_fr", "address", "email",
            "phone", "phone_e164", "source",
        ]  # fmt: skip


class UnitSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="directory-api:unit-detail", lookup_field="key"
    )
    organisation = serializers.SlugRelatedField(slug_field="key", read_only=True)
    source = serializers.SlugRelatedField(slug_field="key", read_only=True)
    name = serializers.CharField(read_only=True)
    head = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = [
            "url", "key", "organisation", "number", "name", "name_en", "name_fr", "name_nl",
            "aliases", "mission_en", "mission_fr", "head", "members", "source",
        ]  # fmt: skip

    def get_head(self, unit: Unit) -> list[str]:
        return [p.person.key for p in unit.heads]

    def get_members(self, unit: Unit) -> list[dict]:
        return PositionSerializer(unit.current_positions, many=True).data


class PersonSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="directory-api:person-detail", lookup_field="key"
    )
    name = serializers.CharField(source="full_name", read_only=True)
    photo = serializers.ImageField(read_only=True, use_url=True, allow_null=True)
    source = serializers.SlugRelatedField(slug_field="key", read_only=True)
    positions = PositionSerializer(many=True, read_only=True)
    portfolios = PortfolioSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = [
            "url", "key", "name", "given_name", "family_name", "aliases", "phone",
            "phone_e164", "email", "photo", "positions", "portfolios", "source",
        ]  # fmt: skip


class PartnerSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="directory-api:partner-detail", lookup_field="key"
    )
    name = serializers.CharField(read_only=True)
    country = serializers.CharField(source="country.code", read_only=True)
    statements = PartnerStatementSerializer(many=True, read_only=True)
    followed_by = serializers.SerializerMethodField()

    class Meta:
        model = Partner
        fields = [
            "url", "key", "name", "name_en", "name_fr", "name_nl", "name_native", "aliases",
            "place", "country", "relationship", "status", "statements", "followed_by",
        ]  # fmt: skip

    def get_followed_by(self, partner: Partner) -> list[dict]:
        return PortfolioSerializer(partner.portfolios.all(), many=True).data


class NetworkSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="directory-api:network-detail", lookup_field="key"
    )
    name = serializers.CharField(read_only=True)
    source = serializers.SlugRelatedField(slug_field="key", read_only=True)
    memberships = MembershipSerializer(many=True, read_only=True)
    followed_by = serializers.SerializerMethodField()

    class Meta:
        model = Network
        fields = [
            "url", "key", "acronym", "name", "name_en", "name_fr", "name_nl", "aliases", "kind",
            "memberships", "followed_by", "source",
        ]  # fmt: skip

    def get_followed_by(self, network: Network) -> list[dict]:
        return PortfolioSerializer(network.portfolios.all(), many=True).data


class RepresentationSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="key", read_only=True)
    source = serializers.SlugRelatedField(slug_field="key", read_only=True)
    name = serializers.CharField(read_only=True)
    country = serializers.CharField(source="country.code", read_only=True)

    class Meta:
        model = Representation
        fields = [
            "key", "organisation", "kind", "name", "name_en", "name_fr", "name_nl", "city",
            "country", "source",
        ]  # fmt: skip
