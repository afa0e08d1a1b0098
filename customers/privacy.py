"""What of a person's contact data may appear in logs: enough to tell cases apart, not to reach them."""


def masked_contact(contact: str) -> str:
    """`d***@example.com`, `+44*******456`: never a whole address or phone number in a log."""
    if "@" in contact:
        local, _, domain = contact.partition("@")
        return f"{local[:1]}***@{domain}"
    if len(contact) <= 6:
        return "*" * len(contact)
    return f"{contact[:3]}{'*' * (len(contact) - 6)}{contact[-3:]}"
