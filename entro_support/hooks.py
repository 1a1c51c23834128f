# helpdesk_mgmt's own domain of its company rule, which entro_support widens
HELPDESK_COMPANY_RULE = "[('company_id', 'in', company_ids + [False])]"


def uninstall_hook(env):
    """Give helpdesk_mgmt its company rule back: ours names a field that goes."""
    rule = env.ref("helpdesk_mgmt.helpdesk_ticket_comp_rule", raise_if_not_found=False)
    if rule:
        rule.domain_force = HELPDESK_COMPANY_RULE
