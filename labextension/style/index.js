import './base.css';
import './defaults.css';
