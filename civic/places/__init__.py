"""The place register: district → street → community → compound → building → unit, people and links."""
