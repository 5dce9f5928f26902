"""The head of unit edits the standard conditions in the admin; a first set of conditions."""

from django.db import migrations

PERMISSIONS = (
    ("add_standardcondition", "Can add standard condition"),
    ("change_standardcondition", "Can change standard condition"),
    ("view_standardcondition", "Can view standard condition"),
)

CONDITIONS = (
    (
        "no-reexport",
        "Les biens ne peuvent être réexportés, transférés ou détournés sans l'autorisation "
        "écrite préalable de la Région de Bruxelles-Capitale.",
        "De goederen mogen niet worden heruitgevoerd, overgebracht of omgeleid zonder "
        "voorafgaande schriftelijke toestemming van het Brussels Hoofdstedelijk Gewest.",
        "The goods may not be re-exported, transferred or diverted without the prior written "
        "authorisation of the Brussels-Capital Region.",
    ),
    (
        "report-use",
        "Le titulaire déclare chaque utilisation de la licence à la Cellule Licences.",
        "De houder meldt elk gebruik van deze vergunning aan de Cel Vergunningen.",
        "The holder reports each use of this licence to the Permits unit.",
    ),
    (
        "delivery-verification",
        "Le titulaire remet un certificat de vérification de livraison dans les trois mois de "
        "chaque livraison.",
        "De houder bezorgt binnen drie maanden na elke levering een leveringsverificatiecertificaat.",
        "The holder provides a delivery verification certificate within three months of each "
        "delivery.",
    ),
)


def forward(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    StandardCondition = apps.get_model("permits", "StandardCondition")
    # Permissions are normally created after migrating; create them now so the group gets them.
    content_type, _ = ContentType.objects.get_or_create(
        app_label="permits", model="standardcondition"
    )
    head, _ = Group.objects.get_or_create(name="head_of_unit")
    for codename, name in PERMISSIONS:
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        head.permissions.add(permission)
    for code, fr, nl, en in CONDITIONS:
        StandardCondition.objects.get_or_create(
            code=code, version=1, defaults={"text_fr": fr, "text_nl": nl, "text_en": en}
        )


def backward(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    head = Group.objects.filter(name="head_of_unit").first()
    if head:
        head.permissions.remove(
            *Permission.objects.filter(codename__in=[c for c, _ in PERMISSIONS])
        )


class Migration(migrations.Migration):
    dependencies = [
        ("permits", "0011_decisions_lines"),
        ("workflow", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forward, backward)]
