"""Pages and JSON endpoints, one module per audience. Views stay thin: permission through
tutor.selectors, writes through tutor.services, HTML through templates."""
